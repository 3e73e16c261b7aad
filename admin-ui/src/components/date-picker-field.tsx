/** A labelled react-aria date picker with its calendar popover and field error (no hand-made date picker). */
import type { CalendarDate } from '@internationalized/date';
import { Button, Calendar, CalendarCell, CalendarGrid, DateInput, DatePicker, DateSegment, Dialog, FieldError, Group, Heading, Label, Popover } from 'react-aria-components';

export interface DatePickerFieldProps {
  label: string;
  value: CalendarDate | null;
  onChange: (d: CalendarDate | null) => void;
  minValue?: CalendarDate;
  error?: string | undefined;
}

/** The field. */
export function DatePickerField({ label, value, onChange, minValue, error }: DatePickerFieldProps) {
  return (
    <DatePicker value={value} onChange={onChange} {...(minValue ? { minValue } : {})} isInvalid={!!error}>
      <Label>{label}</Label>
      <Group className="row">
        <DateInput>{(segment) => <DateSegment segment={segment} />}</DateInput>
        <Button aria-label="Open calendar">▾</Button>
      </Group>
      <FieldError className="field-error">{error}</FieldError>
      <Popover>
        <Dialog>
          <Calendar>
            <header className="row">
              <Button slot="previous">‹</Button>
              <Heading />
              <Button slot="next">›</Button>
            </header>
            <CalendarGrid>{(date) => <CalendarCell date={date} />}</CalendarGrid>
          </Calendar>
        </Dialog>
      </Popover>
    </DatePicker>
  );
}
