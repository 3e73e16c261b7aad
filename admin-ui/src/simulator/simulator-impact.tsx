/**
 * The simulator's impact preview: a pending change is either another published revision, or an edited copy
 * of the chosen revision (its bundle as JSON); both are compared with the chosen revision.
 */
import type { CompiledPolicy } from '@agentcore/policies';
import { useMemo, useState } from 'react';
import { Button, FieldError, Label, Radio, RadioGroup, TextArea, TextField } from 'react-aria-components';
import { compileBundleJson, type PolicyOrError } from '../impact/changed-policy';
import { ImpactPreview } from '../impact/impact-preview';
import { useCompiledRevision } from './use-compiled-revision';

type Source = 'revision' | 'edit';

const asPolicy = (policy: CompiledPolicy | undefined, error: string | undefined): PolicyOrError | undefined => (policy ? { policy } : error ? { error } : undefined);

/** `revision` is the simulator's chosen revision (the "current" side); `revisions` all published ones. */
export function SimulatorImpact({ service, revision, revisions }: { service: string; revision: number; revisions: readonly number[] }) {
  const [source, setSource] = useState<Source>('revision');
  const [comparing, setComparing] = useState(false);
  const [other, setOther] = useState<number | undefined>();
  const base = useCompiledRevision(service, revision);
  const otherRev = other ?? revisions.find((r) => r !== revision) ?? revision;
  const target = useCompiledRevision(service, source === 'revision' ? otherRev : undefined);
  const [text, setText] = useState<string | undefined>();
  const [applied, setApplied] = useState<{ text: string; result: PolicyOrError } | undefined>();
  const shown = text ?? (base.policy ? JSON.stringify(base.policy.bundle, null, 2) : '');
  const current = useMemo(() => asPolicy(base.policy, base.error), [base.policy, base.error]);
  const changedRevision = useMemo(() => asPolicy(target.policy, target.error), [target.policy, target.error]);
  const editError = applied && 'error' in applied.result ? applied.result.error : undefined;
  return (
    <>
      <h2>Impact of a change</h2>
      <div className="card stack">
        <RadioGroup value={source} onChange={(v) => setSource(v as Source)} orientation="horizontal">
          <Label>Compare revision {revision} with</Label>
          <div>
            <Radio value="revision">another revision</Radio>
            <Radio value="edit">an edited copy of revision {revision}</Radio>
          </div>
        </RadioGroup>
        {source === 'revision' && (
          <div className="row">
            <label>
              Other revision{' '}
              <select value={otherRev} onChange={(e) => setOther(Number(e.target.value))}>
                {revisions.map((r) => (
                  <option key={r} value={r}>
                    {r}
                  </option>
                ))}
              </select>
            </label>
            {!comparing && (
              <Button className="react-aria-Button primary" onPress={() => setComparing(true)}>
                Preview impact
              </Button>
            )}
          </div>
        )}
        {source === 'edit' && (
          <>
            <TextField value={shown} onChange={setText} isInvalid={!!editError && applied?.text === shown}>
              <Label>Bundle of revision {revision}, edited (JSON)</Label>
              <TextArea className="mono" rows={14} spellCheck={false} style={{ width: '100%' }} />
              <FieldError className="field-error">{editError}</FieldError>
            </TextField>
            <div className="row">
              <Button className="react-aria-Button primary" isDisabled={!shown} onPress={() => setApplied({ text: shown, result: compileBundleJson(shown) })}>
                Preview impact of the edit
              </Button>
              <Button isDisabled={text === undefined} onPress={() => (setText(undefined), setApplied(undefined))}>
                Reset to revision {revision}
              </Button>
            </div>
          </>
        )}
      </div>
      {source === 'revision' && comparing && <ImpactPreview service={service} current={current} changed={changedRevision} currentLabel={`revision ${revision}`} changedLabel={`revision ${otherRev}`} />}
      {source === 'edit' && applied && !editError && (
        <ImpactPreview service={service} current={current} changed={applied.result} currentLabel={`revision ${revision}`} changedLabel={applied.text === shown ? 'your edited copy' : 'your edited copy (as previewed; edited since)'} />
      )}
    </>
  );
}
