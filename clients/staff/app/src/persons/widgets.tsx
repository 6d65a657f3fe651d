import type { ReactNode } from 'react';
import {
  Button,
  Checkbox,
  Dialog,
  FieldError,
  Heading,
  Input,
  Label,
  ListBox,
  ListBoxItem,
  Modal,
  ModalOverlay,
  Popover,
  Select,
  SelectValue,
  Text,
  TextField,
} from 'react-aria-components';

/** A labelled one-line text field; `error` (the refusal for this field) marks it invalid and is read out with it. */
export function TextInput({
  label,
  value,
  onChange,
  type,
  error,
  className = 'field',
}: {
  label: string;
  value: string;
  onChange: (v: string) => void;
  type?: 'text' | 'tel' | 'email';
  error?: string;
  className?: string;
}) {
  return (
    <TextField className={className} value={value} onChange={onChange} type={type} isInvalid={error !== undefined}>
      <Label>{label}</Label>
      <Input />
      <FieldError className="field-error">{error ?? ''}</FieldError>
    </TextField>
  );
}

/** A checkbox in the workspace's look (react-aria: Space toggles, the label is the name). */
export function Check({
  label,
  value,
  onChange,
  isDisabled,
  description,
}: {
  label: string;
  value: boolean;
  onChange: (v: boolean) => void;
  isDisabled?: boolean;
  description?: string;
}) {
  return (
    <Checkbox className="checkbox" isSelected={value} onChange={onChange} isDisabled={isDisabled}>
      <span className="checkbox__box" aria-hidden="true" />
      <span>
        {label}
        {description && <span className="checkbox__hint">{description}</span>}
      </span>
    </Checkbox>
  );
}

/** A select (react-aria Select: a button that opens a list box). */
export function Choice({
  label,
  value,
  onChange,
  options,
  description,
}: {
  label: string;
  value: string;
  onChange: (v: string) => void;
  options: { id: string; name: string }[];
  description?: string;
}) {
  return (
    <Select className="field" selectedKey={value} onSelectionChange={(k) => k !== null && onChange(String(k))}>
      <Label>{label}</Label>
      {description && (
        <Text slot="description" className="field-description">
          {description}
        </Text>
      )}
      <Button className="select-button">
        <SelectValue />
        <span aria-hidden="true">▾</span>
      </Button>
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

/** A modal dialog with its title as its name; Escape or a click outside closes it (focus returns to what opened it). */
export function ModalDialog({
  title,
  onClose,
  children,
  testId,
  wide,
}: {
  title: string;
  onClose: () => void;
  children: ReactNode;
  testId?: string;
  wide?: boolean;
}) {
  return (
    <ModalOverlay className="modal-overlay" isOpen isDismissable onOpenChange={(open) => !open && onClose()}>
      <Modal className={wide ? 'modal modal--wide' : 'modal'}>
        <Dialog className="dialog" data-testid={testId}>
          <Heading slot="title">{title}</Heading>
          {children}
        </Dialog>
      </Modal>
    </ModalOverlay>
  );
}

/** An error from the server, read out at once. */
export function Problem({ text }: { text?: string }) {
  if (!text) return null;
  return (
    <div className="alert alert--error" role="alert">
      <p>{text}</p>
    </div>
  );
}
