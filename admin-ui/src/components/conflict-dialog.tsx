/** The 412 answer made visible: what the other admin changed versus your edit, and a choice to reload or re-apply. */
import { Button, Dialog, Heading, Modal, ModalOverlay } from 'react-aria-components';
import { DiffView } from './diff-view';
import { jsonChanges } from './json-changes';

export interface ConflictDialogProps {
  isOpen: boolean;
  what: string;
  /** the value now stored (someone else's save) */
  theirs: unknown;
  /** the value you tried to save */
  mine: unknown;
  /** drop your edit and show theirs */
  onReload: () => void;
  /** save your edit over theirs (with their version's ETag) */
  onReapply: () => void;
  onCancel: () => void;
}

/** A modal while `isOpen`; never overwrites anything by itself. */
export function ConflictDialog({ isOpen, what, theirs, mine, onReload, onReapply, onCancel }: ConflictDialogProps) {
  return (
    <ModalOverlay isOpen={isOpen} onOpenChange={(open) => !open && onCancel()} isDismissable>
      <Modal>
        <Dialog role="alertdialog">
          <Heading slot="title">Someone else changed {what}</Heading>
          <p>Your save was not applied: {what} changed since you opened it. The stored version (theirs) and yours differ here:</p>
          <DiffView changes={jsonChanges(theirs, mine)} caption={`stored ${what} versus your edit`} beforeLabel="Stored now (theirs)" afterLabel="Your edit" />
          <div className="row">
            <Button onPress={onCancel}>Keep editing</Button>
            <Button onPress={onReload}>Reload theirs</Button>
            <Button className="react-aria-Button primary" onPress={onReapply}>
              Re-apply mine
            </Button>
          </div>
        </Dialog>
      </Modal>
    </ModalOverlay>
  );
}
