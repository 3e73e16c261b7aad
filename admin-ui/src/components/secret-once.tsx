/** A secret shown exactly once (API key, sidecar token), with a Copy button and a warning. */
import { useState } from 'react';
import { Button } from 'react-aria-components';

/** Shows `secret` with Copy; the parent drops it from state when the user is done, so it is never shown again. */
export function SecretOnce({ label, secret, onDone }: { label: string; secret: string; onDone: () => void }) {
  const [copied, setCopied] = useState<'no' | 'yes' | 'failed'>('no');
  const copy = async () => {
    try {
      await navigator.clipboard.writeText(secret);
      setCopied('yes');
    } catch {
      setCopied('failed');
    }
  };
  return (
    <section className="card" aria-label={label}>
      <h2>{label}</h2>
      <p className="notice">Copy it now: it is shown only once and cannot be retrieved later.</p>
      <div className="secret">
        <code data-testid="secret-value">{secret}</code>
        <Button onPress={() => void copy()}>Copy</Button>
        <span role="status">{copied === 'yes' ? 'Copied' : copied === 'failed' ? 'Copy failed: select the text and copy it' : ''}</span>
      </div>
      <Button onPress={onDone}>Done</Button>
    </section>
  );
}
