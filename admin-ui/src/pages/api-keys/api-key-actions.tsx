/** Rotate (with an overlap the old key keeps working) and revoke (confirmed) for one API key. */
import { useMutation, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { Button, Dialog, DialogTrigger, FieldError, Heading, Input, Label, Modal, ModalOverlay, NumberField, Text } from 'react-aria-components';
import { describeError, fieldMessage } from '../../api/api-error';
import { apiKeysQuery, revokeApiKey, rotateApiKey } from '../../api/keys-api';
import type { ApiKeyView, CreatedApiKey } from '../../api/types';
import { ConfirmDialog } from '../../components/confirm-dialog';
import { ErrorAlert } from '../../components/query-state';

/** The action buttons of a key row; `onRotated` receives the new key with its one-time secret. */
export function ApiKeyActions({ service, apiKey, onRotated }: { service: string; apiKey: ApiKeyView; onRotated: (k: CreatedApiKey) => void }) {
  const qc = useQueryClient();
  const refresh = () => void qc.invalidateQueries({ queryKey: apiKeysQuery(service).queryKey });
  const revoke = useMutation({ mutationFn: () => revokeApiKey(service, apiKey.id), onSettled: refresh });
  const [minutes, setMinutes] = useState(60);
  const rotate = useMutation({
    mutationFn: () => rotateApiKey(service, apiKey.id, Math.round(minutes * 60)),
    onSuccess: (k) => onRotated(k),
    onSettled: refresh,
  });
  if (apiKey.state === 'revoked') return <span className="hint">revoked</span>;
  const overlapError = Number.isNaN(minutes) || minutes < 0 || minutes > 43200 ? 'Between 0 and 43200 minutes (30 days)' : fieldMessage(rotate.error, 'overlapSeconds');
  return (
    <div className="row">
      <DialogTrigger>
        <Button aria-label={`Rotate key ${apiKey.id}`}>Rotate</Button>
        <ModalOverlay isDismissable>
          <Modal>
            <Dialog>
              {({ close }) => (
                <form
                  className="stack"
                  onSubmit={(e) => {
                    e.preventDefault();
                    if (overlapError) return;
                    rotate.mutate(undefined, { onSuccess: close });
                  }}
                >
                  <Heading slot="title">Rotate key {apiKey.id}</Heading>
                  <p>A new secret is issued now. The current one keeps working during the overlap, then stops.</p>
                  <NumberField value={minutes} onChange={setMinutes} minValue={0} maxValue={43200} isInvalid={!!overlapError}>
                    <Label>Overlap (minutes)</Label>
                    <Input />
                    <Text slot="description" className="hint">
                      0 stops the old key at once
                    </Text>
                    <FieldError className="field-error">{overlapError}</FieldError>
                  </NumberField>
                  {rotate.error && <ErrorAlert error={rotate.error} />}
                  <div className="row">
                    <Button onPress={close}>Cancel</Button>
                    <Button type="submit" className="react-aria-Button primary" isDisabled={rotate.isPending}>
                      Rotate
                    </Button>
                  </div>
                </form>
              )}
            </Dialog>
          </Modal>
        </ModalOverlay>
      </DialogTrigger>
      <ConfirmDialog trigger="Revoke" triggerLabel={`Revoke key ${apiKey.id}`} title={`Revoke key ${apiKey.id}?`} confirmLabel="Revoke key" danger onConfirm={() => revoke.mutate()}>
        <p>
          Sidecars refuse it within a second. Requests by <strong>{apiKey.principal}</strong> with this key will fail. This cannot be undone.
        </p>
      </ConfirmDialog>
      {revoke.error && (
        <span role="alert" className="field-error">
          {describeError(revoke.error)}
        </span>
      )}
    </div>
  );
}
