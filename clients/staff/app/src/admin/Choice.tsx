import { Button, Label, ListBox, ListBoxItem, Popover, Select, SelectValue, Text } from 'react-aria-components';

export interface ChoiceOption {
  id: string;
  name: string;
}

/** A labelled single choice (react-aria Select: a button that opens a list, operable by keyboard). */
export function Choice({
  label,
  hint,
  value,
  onChange,
  options,
  placeholder,
  isInvalid,
  errorText,
  ariaLabel,
}: {
  label?: string;
  hint?: string;
  value: string | null;
  onChange: (v: string) => void;
  options: ChoiceOption[];
  placeholder?: string;
  isInvalid?: boolean;
  errorText?: string;
  /** When there is no visible label (e.g. inside a table row). */
  ariaLabel?: string;
}) {
  return (
    <Select
      className="field"
      selectedKey={value}
      onSelectionChange={(k) => k !== null && onChange(String(k))}
      placeholder={placeholder}
      isInvalid={isInvalid}
      aria-label={label ? undefined : ariaLabel}
    >
      {label && <Label>{label}</Label>}
      {hint && (
        <Text slot="description" className="field-description">
          {hint}
        </Text>
      )}
      <Button className="select-button">
        <SelectValue />
        <span aria-hidden="true">▾</span>
      </Button>
      {isInvalid && errorText && (
        <Text slot="errorMessage" className="field-error">
          {errorText}
        </Text>
      )}
      <Popover className="popover">
        <ListBox className="listbox" items={options}>
          {(o) => (
            <ListBoxItem id={o.id} className="listbox-item">
              {o.name}
            </ListBoxItem>
          )}
        </ListBox>
      </Popover>
    </Select>
  );
}
