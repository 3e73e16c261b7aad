/**
 * Create or edit one rate limit: id, what the counter is kept per (client, endpoint, resource type, address),
 * the rate with its burst and algorithm, and hour/day/month quotas; each error beside its field; a 412 opens the conflict dialog.
 */
import { useState } from 'react';
import { Button, Checkbox, CheckboxGroup, FieldError, Form, Input, Label, ListBox, ListBoxItem, Popover, Select, SelectValue, Text, TextField } from 'react-aria-components';
import { ApiError } from '../../api/api-error';
import type { RateLimitInput } from '../../api/rate-limits-api';
import { ConflictDialog } from '../../components/conflict-dialog';
import { ErrorAlert } from '../../components/query-state';
import { checkRateLimitForm, EMPTY_RATE_LIMIT, fieldOfApiPath, formOf, QUOTA_PERIODS, SCOPES, type QuotaPeriod, type RateLimitField, type RateLimitFormValues } from './rate-limit-form-schema';
import { useRateLimitSave } from './use-rate-limit-save';

const SCOPE_HINT: Record<(typeof SCOPES)[number], string> = {
  client: 'the principal, or the address when anonymous',
  endpoint: 'the route',
  resource: "the route's resource type",
  address: 'the client address, even when signed in',
};

/** A labelled text input with its description and error. */
function Field(props: { label: string; value: string; onChange: (v: string) => void; error: string | undefined; hint?: string; numeric?: boolean; isDisabled?: boolean }) {
  return (
    <TextField value={props.value} onChange={props.onChange} isInvalid={!!props.error} isDisabled={props.isDisabled ?? false}>
      <Label>{props.label}</Label>
      <Input inputMode={props.numeric ? 'decimal' : 'text'} />
      {props.hint && (
        <Text slot="description" className="hint">
          {props.hint}
        </Text>
      )}
      <FieldError className="field-error">{props.error}</FieldError>
    </TextField>
  );
}

/** The little box react-aria's Checkbox renders into. */
const Box = ({ on }: { on: boolean }) => (
  <span className="box" aria-hidden="true">
    {on ? '✓' : ''}
  </span>
);

/** Rate fields: requests per period, burst, algorithm. */
function RateFields({ v, set, err }: { v: RateLimitFormValues; set: (p: Partial<RateLimitFormValues>) => void; err: (f: RateLimitField) => string | undefined }) {
  return (
    <fieldset className="stack">
      <legend className="label">Rate</legend>
      <Checkbox isSelected={v.hasRate} onChange={(hasRate) => set({ hasRate })} isInvalid={!!err('rate')}>
        <Box on={v.hasRate} />
        Limit the request rate
      </Checkbox>
      {err('rate') && <p className="field-error">{err('rate')}</p>}
      {v.hasRate && (
        <div className="row">
          <Field label="Requests" numeric value={v.requests} onChange={(requests) => set({ requests })} error={err('requests')} />
          <Field label="Per (seconds)" numeric value={v.periodSeconds} onChange={(periodSeconds) => set({ periodSeconds })} error={err('periodSeconds')} />
          <Field label="Burst" numeric value={v.burst} onChange={(burst) => set({ burst })} error={err('burst')} hint="at once; empty = requests" />
          <Select selectedKey={v.algorithm} onSelectionChange={(k) => set({ algorithm: k as RateLimitFormValues['algorithm'] })}>
            <Label>Algorithm</Label>
            <Button>
              <SelectValue />
            </Button>
            <Popover>
              <ListBox>
                <ListBoxItem id="gcra">GCRA (smooth, with burst)</ListBoxItem>
                <ListBoxItem id="fixed-window">fixed window</ListBoxItem>
              </ListBox>
            </Popover>
          </Select>
        </div>
      )}
    </fieldset>
  );
}

/** Quota fields, one per calendar window. */
function QuotaFields({ v, set, err }: { v: RateLimitFormValues; set: (p: Partial<RateLimitFormValues>) => void; err: (f: RateLimitField) => string | undefined }) {
  const setQuota = (p: QuotaPeriod, s: string) => set({ quotas: { ...v.quotas, [p]: s } });
  return (
    <fieldset className="stack">
      <legend className="label">Quotas (UTC calendar windows; empty = none)</legend>
      <div className="row">
        {QUOTA_PERIODS.map((p) => (
          <Field key={p} label={`Requests per ${p}`} numeric value={v.quotas[p]} onChange={(s) => setQuota(p, s)} error={err(`quota.${p}`)} />
        ))}
      </div>
    </fieldset>
  );
}

export interface RateLimitFormProps {
  service: string;
  /** null: create a new limit; else the stored values and the ETag they were read at */
  editing: { values: RateLimitFormValues; etag: string } | null;
  onDone: () => void;
}

/** The form (create or edit). */
export function RateLimitForm({ service, editing, onDone }: RateLimitFormProps) {
  const [v, setV] = useState<RateLimitFormValues>(editing?.values ?? EMPTY_RATE_LIMIT);
  const [etag, setEtag] = useState<string | null>(editing?.etag ?? null);
  const [local, setLocal] = useState<Partial<Record<RateLimitField, string>>>({});
  const [sent, setSent] = useState<RateLimitInput | null>(null);
  const s = useRateLimitSave(service, etag, onDone);
  const set = (patch: Partial<RateLimitFormValues>) => setV((old) => ({ ...old, ...patch }));
  const apiError = s.save.error ?? s.reapply.error;
  const apiFields = new Map<RateLimitField, string>();
  if (apiError instanceof ApiError) {
    const periods = (sent?.quotas ?? []).map((q) => q.period);
    for (const f of apiError.fields) {
      const field = fieldOfApiPath(f.path, periods);
      if (field && !apiFields.has(field)) apiFields.set(field, f.message);
    }
  }
  const err = (f: RateLimitField) => local[f] ?? apiFields.get(f);
  const submit = () => {
    const r = checkRateLimitForm(v);
    setLocal(r.errors);
    if (!r.definition) return;
    setSent(r.definition);
    s.save.mutate(r.definition);
  };
  const title = etag === null ? 'Create a rate limit' : `Edit rate limit ${v.id}`;
  const pending = s.save.isPending || s.reapply.isPending;
  return (
    <Form
      validationBehavior="aria"
      className="card stack"
      aria-label={title}
      onSubmit={(e) => {
        e.preventDefault();
        submit();
      }}
    >
      <h2>{title}</h2>
      <Field label="Id" value={v.id} onChange={(id) => set({ id })} error={err('id')} isDisabled={etag !== null} hint="routes refer to the limit by this id" />
      <CheckboxGroup value={v.scope} onChange={(scope) => set({ scope: scope as RateLimitFormValues['scope'] })} isInvalid={!!err('scope')}>
        <Label className="label">Counted per</Label>
        <div className="row">
          {SCOPES.map((sc) => (
            <Checkbox key={sc} value={sc}>
              <Box on={v.scope.includes(sc)} />
              {sc} <span className="hint">({SCOPE_HINT[sc]})</span>
            </Checkbox>
          ))}
        </div>
        <Text slot="description" className="hint">
          none ticked: one counter for the whole service
        </Text>
        <FieldError className="field-error">{err('scope')}</FieldError>
      </CheckboxGroup>
      <RateFields v={v} set={set} err={err} />
      <QuotaFields v={v} set={set} err={err} />
      {apiError && !Object.keys(local).length && <ErrorAlert error={apiError} onRetry={submit} retrying={pending} />}
      <div className="row">
        <Button type="submit" className="react-aria-Button primary" isDisabled={pending}>
          {pending ? 'Saving…' : etag === null ? 'Create rate limit' : 'Save rate limit'}
        </Button>
        <Button onPress={onDone}>Cancel</Button>
      </div>
      <ConflictDialog
        isOpen={!!s.conflict}
        what={`rate limit ${v.id}`}
        theirs={s.conflict?.theirs}
        mine={s.conflict?.mine}
        onCancel={s.closeConflict}
        onReload={() => {
          if (!s.conflict) return;
          setV(formOf(s.conflict.theirs));
          setEtag(s.conflict.theirEtag);
          s.closeConflict();
        }}
        onReapply={() => s.conflict && s.reapply.mutate(s.conflict)}
      />
    </Form>
  );
}
