/** The access-log filter: time range (react-aria date-time pickers), service, principal, route, status, decision, reason codes; applied on Search. */
import { getLocalTimeZone, type CalendarDateTime } from '@internationalized/date';
import { useQuery } from '@tanstack/react-query';
import { useState } from 'react';
import { Button, DateInput, DatePicker, DateSegment, FieldError, Form, Input, Label, ListBox, ListBoxItem, Popover, Select, SelectValue, TextField } from 'react-aria-components';
import { fieldMessage } from '../../api/api-error';
import { EMPTY_ACCESS_LOG_FILTER, normaliseReasons, type AccessLogFilter } from '../../api/logs-api';
import { servicesQuery } from '../../api/services-api';

const STATUS_RE = /^[1-5](?:\d\d|xx)$/;
const DECISION_RE = /^[a-z_]{1,32}$/;
/** The API's reason-code rule (MISSING_PERMISSION), at most 20 codes. */
const REASON_RE = /^[A-Z][A-Z0-9_]{0,63}$/;

/** Edits a filter; `onApply` receives it when the user searches. `error` is the last search error (field messages shown inline). */
export function AccessLogFilterForm({ onApply, error }: { onApply: (f: AccessLogFilter) => void; error: unknown }) {
  const services = useQuery(servicesQuery);
  const [f, setF] = useState<AccessLogFilter>(EMPTY_ACCESS_LOG_FILTER);
  const [from, setFrom] = useState<CalendarDateTime | null>(null);
  const [to, setTo] = useState<CalendarDateTime | null>(null);
  const [local, setLocal] = useState<Record<string, string>>({});
  const set = (patch: Partial<AccessLogFilter>) => {
    setF((o) => ({ ...o, ...patch }));
    setLocal((l) => Object.fromEntries(Object.entries(l).filter(([k]) => !(k in patch))));
  };
  const err = (k: string) => local[k] ?? fieldMessage(error, k) ?? fieldMessage(error, `query.${k}`);
  const submit = () => {
    const iso = (d: CalendarDateTime | null) => (d ? d.toDate(getLocalTimeZone()).toISOString() : '');
    const next = { ...f, from: iso(from), to: iso(to) };
    const e: Record<string, string> = {};
    if (next.status && !STATUS_RE.test(next.status.trim())) e.status = 'An HTTP status (403) or a class (4xx)';
    if (next.decision && !DECISION_RE.test(next.decision.trim())) e.decision = 'A decision like allow or deny';
    const reasons = normaliseReasons(next.reason);
    if (reasons && (reasons.split(',').some((c) => !REASON_RE.test(c)) || reasons.split(',').length > 20)) {
      e.reason = 'Reason codes like MISSING_PERMISSION, comma-separated (at most 20)';
    }
    if (next.from && next.to && Date.parse(next.to) <= Date.parse(next.from)) e.to = 'Must be after From';
    setLocal(e);
    if (!Object.keys(e).length) onApply(next);
  };
  const text = (k: keyof AccessLogFilter, label: string) => (
    <TextField value={f[k]} onChange={(v) => set({ [k]: v })} isInvalid={!!err(k)}>
      <Label>{label}</Label>
      <Input />
      <FieldError className="field-error">{err(k)}</FieldError>
    </TextField>
  );
  return (
    <Form
      validationBehavior="aria"
      className="card row"
      aria-label="Filter access logs"
      onSubmit={(e) => {
        e.preventDefault();
        submit();
      }}
    >
      <DatePicker value={from} onChange={setFrom} granularity="minute" isInvalid={!!err('from')}>
        <Label>From</Label>
        <DateInput>{(s) => <DateSegment segment={s} />}</DateInput>
        <FieldError className="field-error">{err('from')}</FieldError>
      </DatePicker>
      <DatePicker value={to} onChange={setTo} granularity="minute" isInvalid={!!err('to')}>
        <Label>To</Label>
        <DateInput>{(s) => <DateSegment segment={s} />}</DateInput>
        <FieldError className="field-error">{err('to')}</FieldError>
      </DatePicker>
      <Select selectedKey={f.service || '*'} onSelectionChange={(k) => set({ service: k === '*' ? '' : String(k) })}>
        <Label>Service</Label>
        <Button>
          <SelectValue />
        </Button>
        <Popover>
          <ListBox items={[{ id: '*', name: 'any service' }, ...(services.data ?? []).map((s) => ({ id: s.name, name: s.name }))]}>
            {(s) => <ListBoxItem id={s.id}>{s.name}</ListBoxItem>}
          </ListBox>
        </Popover>
      </Select>
      {text('principal', 'Principal')}
      {text('route', 'Route')}
      {text('status', 'Status')}
      {text('decision', 'Decision')}
      {text('reason', 'Reason codes')}
      <Button type="submit" className="react-aria-Button primary">
        Search
      </Button>
    </Form>
  );
}
