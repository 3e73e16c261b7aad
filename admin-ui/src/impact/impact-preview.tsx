/**
 * The impact preview of a pending change: the last N access-log records of a service replayed in the browser
 * against the current and the changed policy; lists the requests whose decision would flip and, separately,
 * the records that cannot be replayed faithfully (and why).
 */
import type { CompiledPolicy } from '@agentcore/policies';
import { useQuery } from '@tanstack/react-query';
import { useMemo, useState } from 'react';
import { Label, Radio, RadioGroup } from 'react-aria-components';
import { recentAccessLogsQuery } from '../api/logs-api';
import { principalsQuery } from '../api/services-api';
import { useCan } from '../auth/use-session';
import { ErrorAlert, QueryState } from '../components/query-state';
import type { PolicyOrError } from './changed-policy';
import { ImpactReportView } from './impact-report';
import { replayImpact, type ImpactReport, type ReplayRecord } from './replay-access-log';

/** How many records can be replayed. */
export const REPLAY_SIZES = [100, 1000, 10_000] as const;

export interface ImpactPreviewProps {
  service: string;
  /** the policy in force (undefined while it loads) */
  current: PolicyOrError | undefined;
  /** the policy after the pending change */
  changed: PolicyOrError | undefined;
  /** e.g. "revision 7" and "your unsaved changes" */
  currentLabel: string;
  changedLabel: string;
}

/** The replay with its compute time (ms), measured here so the page can show it. */
function useReplay(records: readonly ReplayRecord[] | undefined, current: CompiledPolicy | undefined, changed: CompiledPolicy | undefined, principals: ReadonlyMap<string, readonly string[]>) {
  return useMemo((): { report: ImpactReport; ms: number } | undefined => {
    if (!records || !current || !changed) return undefined;
    const t = performance.now();
    const report = replayImpact(records, current, changed, principals);
    return { report, ms: performance.now() - t };
  }, [records, current, changed, principals]);
}

/** The preview panel; an admin role that cannot read access logs gets a notice instead. */
export function ImpactPreview(props: ImpactPreviewProps) {
  const canReadLogs = useCan('logs:read');
  if (canReadLogs) return <Replay {...props} />;
  return (
    <section className="card" aria-labelledby="impact-heading">
      <h2 id="impact-heading">Impact preview</h2>
      <p className="notice">The impact preview replays access-log records, which your admin role cannot read. Ask a security admin or an auditor.</p>
    </section>
  );
}

function Replay({ service, current, changed, currentLabel, changedLabel }: ImpactPreviewProps) {
  const [n, setN] = useState<number>(1000);
  const records = useQuery(recentAccessLogsQuery(service, n));
  const principalList = useQuery(principalsQuery);
  const principals = useMemo(() => new Map((principalList.data ?? []).map((p) => [p.id, p.roles])), [principalList.data]);
  const policies = { current: current && 'policy' in current ? current.policy : undefined, changed: changed && 'policy' in changed ? changed.policy : undefined };
  const replay = useReplay(principalList.isPending ? undefined : records.data, policies.current, policies.changed, principals);
  return (
    <section className="card" aria-labelledby="impact-heading">
      <h2 id="impact-heading">Impact preview</h2>
      <p className="hint">
        The last {n.toLocaleString('en')} access-log records of {service}, replayed in your browser against {currentLabel} and {changedLabel} with the sidecar&apos;s own policy code.
        Callers are rebuilt from each record: an API key&apos;s principal and roles as each policy holds them; a token caller&apos;s roles from its principal record.
      </p>
      <RadioGroup value={String(n)} onChange={(v) => setN(Number(v))} orientation="horizontal">
        <Label>Records to replay</Label>
        <div>
          {REPLAY_SIZES.map((s) => (
            <Radio key={s} value={String(s)}>
              {s.toLocaleString('en')}
            </Radio>
          ))}
        </div>
      </RadioGroup>
      {current && 'error' in current && <p className="alert" role="alert">The current policy ({currentLabel}) does not validate: {current.error}</p>}
      {changed && 'error' in changed && <p className="alert" role="alert">The changed policy ({changedLabel}) does not validate: {changed.error}</p>}
      {principalList.error && (
        <div className="notice">
          Principals could not be loaded, so callers without an API key are not replayed. <ErrorAlert error={principalList.error} onRetry={() => void principalList.refetch()} retrying={principalList.isFetching} />
        </div>
      )}
      <QueryState query={records} what={`the last ${n.toLocaleString('en')} access-log records`} isEmpty={(r) => r.length === 0} empty={`No access-log records for ${service} yet: there is nothing to replay.`}>
        {() => (replay ? <ImpactReportView report={replay.report} ms={replay.ms} currentLabel={currentLabel} changedLabel={changedLabel} /> : <p role="status">Preparing the replay…</p>)}
      </QueryState>
    </section>
  );
}
