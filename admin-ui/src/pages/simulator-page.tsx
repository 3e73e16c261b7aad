/** The policy simulator: a request evaluated in the browser by the sidecar's own policy code, against any published revision. */
import { HttpMethod } from '@agentcore/policies';
import { useQuery } from '@tanstack/react-query';
import { useEffect, useState } from 'react';
import { Button, Input, Label, ListBox, ListBoxItem, Popover, Radio, RadioGroup, Select, SelectValue, TextField } from 'react-aria-components';
import { useParams } from 'react-router';
import { revisionsQuery } from '../api/bundles-api';
import { ErrorAlert, QueryState } from '../components/query-state';
import { splitList } from './api-keys/api-key-form-schema';
import { BatchSimulation } from '../simulator/batch-simulation';
import { sha256Hex, simulateRequest, type SimCredential } from '../simulator/simulate-request';
import { SimulationResult } from '../simulator/simulation-result';
import { SimulatorImpact } from '../simulator/simulator-impact';
import { useCompiledRevision } from '../simulator/use-compiled-revision';

type Mode = 'none' | 'api-key' | 'principal';

function Choice<T extends string | number>({ label, value, options, onChange }: { label: string; value: T; options: readonly T[]; onChange: (v: T) => void }) {
  return (
    <Select selectedKey={value} onSelectionChange={(k) => onChange(options.find((o) => String(o) === String(k))!)}>
      <Label>{label}</Label>
      <Button>
        <SelectValue />
      </Button>
      <Popover>
        <ListBox items={options.map((o) => ({ id: o }))}>{(o) => <ListBoxItem id={o.id}>{String(o.id)}</ListBoxItem>}</ListBox>
      </Popover>
    </Select>
  );
}

/** The page. */
export default function SimulatorPage() {
  const service = useParams().service!;
  const revisions = useQuery(revisionsQuery(service));
  const [revision, setRevision] = useState<number | undefined>();
  const rev = revision ?? revisions.data?.items[0]?.revision;
  const { query, policy, error } = useCompiledRevision(service, rev);
  const [method, setMethod] = useState<string>('GET');
  const [target, setTarget] = useState('/api/v1/agents');
  const [mode, setMode] = useState<Mode>('none');
  const [key, setKey] = useState('');
  const [principal, setPrincipal] = useState({ id: '', roles: '', scopes: '' });
  const [credential, setCredential] = useState<SimCredential>({ kind: 'none' });
  useEffect(() => {
    let live = true;
    if (mode === 'api-key') void sha256Hex(key).then((sha256) => live && setCredential({ kind: 'api-key', sha256 }));
    else if (mode === 'principal') setCredential({ kind: 'principal', id: principal.id || 'anonymous', roles: splitList(principal.roles), scopes: splitList(principal.scopes) });
    else setCredential({ kind: 'none' });
    return () => {
      live = false;
    };
  }, [mode, key, principal]);
  return (
    <>
      <h1>Policy simulator for {service}</h1>
      <p className="hint">Evaluated in your browser with the same @agentcore/policies code the sidecar runs; nothing is sent anywhere.</p>
      <QueryState query={revisions} what="revisions" isEmpty={(r) => r.items.length === 0} empty="Nothing published yet: publish a revision to simulate it.">
        {(r) => (
          <div className="card row">
            <Choice label="Revision" value={rev!} options={r.items.map((i) => i.revision)} onChange={setRevision} />
            <Choice label="Method" value={method} options={HttpMethod.options} onChange={setMethod} />
            <TextField value={target} onChange={setTarget}>
              <Label>Request target (path and query)</Label>
              <Input className="mono" />
            </TextField>
            <RadioGroup value={mode} onChange={(v) => setMode(v as Mode)} orientation="horizontal">
              <Label>Credentials</Label>
              <Radio value="none">none</Radio> <Radio value="api-key">API key</Radio> <Radio value="principal">principal with roles</Radio>
            </RadioGroup>
            {mode === 'api-key' && (
              <TextField value={key} onChange={setKey} type="password">
                <Label>API key</Label>
                <Input />
              </TextField>
            )}
            {mode === 'principal' && (
              <>
                <TextField value={principal.id} onChange={(id) => setPrincipal((p) => ({ ...p, id }))}>
                  <Label>Principal id</Label>
                  <Input />
                </TextField>
                <TextField value={principal.roles} onChange={(roles) => setPrincipal((p) => ({ ...p, roles }))}>
                  <Label>Roles</Label>
                  <Input />
                </TextField>
                <TextField value={principal.scopes} onChange={(scopes) => setPrincipal((p) => ({ ...p, scopes }))}>
                  <Label>Scopes</Label>
                  <Input />
                </TextField>
              </>
            )}
          </div>
        )}
      </QueryState>
      {query.error && <ErrorAlert error={query.error} onRetry={() => void query.refetch()} />}
      {error && <p className="alert" role="alert">Revision {rev} does not validate: {error}</p>}
      {policy && <SimulationResult r={simulateRequest(policy, { method, target, credential, clientAddress: '127.0.0.1' }, Date.now())} />}
      {policy && <BatchSimulation policy={policy} />}
      {rev !== undefined && revisions.data && <SimulatorImpact service={service} revision={rev} revisions={revisions.data.items.map((i) => i.revision)} />}
    </>
  );
}
