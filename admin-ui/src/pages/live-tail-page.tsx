/** Live tail: access decisions as the sidecars report them (server-sent events), filterable by service and decision, pausable. */
import { useQuery } from '@tanstack/react-query';
import { useState } from 'react';
import { Button, Form, Input, Label, ListBox, ListBoxItem, Popover, Select, SelectValue, TextField } from 'react-aria-components';
import type { LiveTailFilter } from '../api/logs-api';
import { servicesQuery } from '../api/services-api';
import { useLiveTail } from './live-tail/use-live-tail';

const TIME = new Intl.DateTimeFormat(undefined, { timeStyle: 'medium' });
const STATE_TEXT = { connecting: 'Connecting…', live: 'Live', reconnecting: 'Connection lost: reconnecting…' } as const;

/** The page. */
export default function LiveTailPage() {
  const services = useQuery(servicesQuery);
  const [draft, setDraft] = useState<LiveTailFilter>({ service: '', decision: '' });
  const [filter, setFilter] = useState<LiveTailFilter>(draft);
  const [paused, setPaused] = useState(false);
  const tail = useLiveTail(filter, paused);
  return (
    <>
      <h1>Live tail</h1>
      <Form
        className="card row"
        aria-label="Filter the live tail"
        onSubmit={(e) => {
          e.preventDefault();
          setFilter(draft);
        }}
      >
        <Select selectedKey={draft.service || '*'} onSelectionChange={(k) => setDraft((d) => ({ ...d, service: k === '*' ? '' : String(k) }))}>
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
        <TextField value={draft.decision} onChange={(decision) => setDraft((d) => ({ ...d, decision }))}>
          <Label>Decision</Label>
          <Input />
        </TextField>
        <Button type="submit" className="react-aria-Button primary">
          Apply
        </Button>
      </Form>
      <div className="row">
        <p role="status" className={`badge ${tail.state === 'live' ? 'ok' : 'warn'}`}>
          {STATE_TEXT[tail.state]}
        </p>
        <Button onPress={() => setPaused((p) => !p)}>{paused ? `Resume${tail.waiting ? ` (${tail.waiting} new)` : ''}` : 'Pause'}</Button>
        <Button onPress={tail.clear}>Clear</Button>
      </div>
      {tail.records.length === 0 ? (
        <p className="hint">Waiting for requests through the sidecars…</p>
      ) : (
        <table data-testid="live-tail">
          <caption className="sr-only">Access decisions, newest first</caption>
          <thead>
            <tr>
              <th scope="col">Time</th>
              <th scope="col">Service</th>
              <th scope="col">Request</th>
              <th scope="col">Status</th>
              <th scope="col">Decision</th>
              <th scope="col">Reason</th>
              <th scope="col">Principal</th>
            </tr>
          </thead>
          <tbody>
            {tail.records.map((r) => (
              <tr key={r.id} data-record-id={r.id}>
                <td>{TIME.format(new Date(r.at))}</td>
                <td>{r.service}</td>
                <td className="mono">
                  {r.method} {r.path}
                </td>
                <td>{r.status}</td>
                <td>{r.decision}</td>
                <td>{r.reason ?? ''}</td>
                <td>{r.principal ?? ''}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </>
  );
}
