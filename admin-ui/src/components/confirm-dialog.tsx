/** A confirmation for destructive actions (react-aria modal dialog): nothing happens until the user confirms. */
import type { ReactNode } from 'react';
import { Button, Dialog, DialogTrigger, Heading, Modal, ModalOverlay } from 'react-aria-components';

export interface ConfirmDialogProps {
  /** label of the button that opens the dialog */
  trigger: string;
  title: string;
  children?: ReactNode;
  confirmLabel: string;
  onConfirm: () => void;
  danger?: boolean;
  isDisabled?: boolean;
  triggerLabel?: string;
}

/** A button that opens a dialog asking to confirm `title`; Confirm runs `onConfirm`, Cancel closes. */
export function ConfirmDialog({ trigger, title, children, confirmLabel, onConfirm, danger, isDisabled, triggerLabel }: ConfirmDialogProps) {
  return (
    <DialogTrigger>
      <Button className={danger ? 'react-aria-Button danger' : 'react-aria-Button'} isDisabled={isDisabled} {...(triggerLabel ? { 'aria-label': triggerLabel } : {})}>
        {trigger}
      </Button>
      <ModalOverlay isDismissable>
        <Modal>
          <Dialog role="alertdialog">
            {({ close }) => (
              <>
                <Heading slot="title">{title}</Heading>
                {children}
                <div className="row">
                  <Button onPress={close}>Cancel</Button>
                  <Button
                    className={danger ? 'react-aria-Button danger' : 'react-aria-Button primary'}
                    onPress={() => {
                      onConfirm();
                      close();
                    }}
                  >
                    {confirmLabel}
                  </Button>
                </div>
              </>
            )}
          </Dialog>
        </Modal>
      </ModalOverlay>
    </DialogTrigger>
  );
}
