/** Many requests at once: one per line `METHOD target [api-key]`, each evaluated like the single form. */
import type { CompiledPolicy } from '@agentcore/policies';
import { useState } from 'react';
import { Button, Label, TextArea, TextField } from 'react-aria-components';
import { sha256Hex, simulateRequest, type SimResult } from './simulate-request';

interface Row {
  line: string;
  result: SimResult;
}

/** Parses and evaluates the lines; blank lines are skipped. */
export async function simulateLines(policy: CompiledPolicy, text: string, now: number): Promise<Row[]> {
  const rows: Row[] = [];
  for (const line of text.split('\n').map((l) => l.trim()).filter(Boolean)) {
    const [method = 'GET', target = '/', key] = line.split(/\s+/);
    const credential = key ? { kind: 'api-key' as const, sha256: await sha256Hex(key) } : { kind: 'none' as const };
    rows.push({ line, result: simulateRequest(policy, { method: method.toUpperCase(), target, credential, clientAddress: '127.0.0.1' }, now) });
  }
  return rows;
}

/** The batch section of the simulator page. */
export function BatchSimulation({ policy }: { policy: CompiledPolicy }) {
  const [text, setText] = useState('');
  const [rows, setRows] = useState<Row[] | null>(null);
  return (
    <section aria-labelledby="batch-h">
      <h2 id="batch-h">Many requests</h2>
      <TextField value={text} onChange={setText}>
        <Label>Requests, one per line: METHOD target [API key]</Label>
        <TextArea rows={6} className="mono" />
      </TextField>
      <Button onPress={() => void simulateLines(policy, text, Date.now()).then(setRows)}>Simulate all</Button>
      {rows && (
        <table data-testid="batch-results">
          <caption className="sr-only">Simulated decisions</caption>
          <thead>
            <tr>
              <th scope="col">Request</th>
              <th scope="col">Answer</th>
              <th scope="col">Reason</th>
              <th scope="col">Route</th>
            </tr>
          </thead>
          <tbody>
            {rows.map((r, i) => (
              <tr key={i} data-status={String(r.result.status)} data-reason={r.result.reason}>
                <td className="mono">{r.line.split(/\s+/).slice(0, 2).join(' ')}</td>
                <td>{r.result.status === 'forward' ? 'forwarded' : r.result.status}</td>
                <td>{r.result.reason}</td>
                <td>{r.result.routeId ?? '—'}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </section>
  );
}
