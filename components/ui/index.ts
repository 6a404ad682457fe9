// Server components may import from here; client components import the file they need ("@/components/ui/button"):
// a bundler that keeps the whole barrel would ship every primitive, and the Alert's icons, to the browser.
export { Alert, type AlertTone } from "./alert";
export { Badge, type BadgeTone } from "./badge";
export { Button, buttonClass, type ButtonProps, type ButtonSize, type ButtonVariant } from "./button";
export { Card, Section } from "./card";
export { cx, focusRing } from "./cx";
export { EmptyState } from "./empty-state";
export { Field, Input, Select, Textarea, type FieldControlProps } from "./field";
export { Skeleton, Spinner, SpinnerIcon } from "./loading";
export { PageHeader } from "./page-header";
export { Table, TBody, TD, TH, THead, TR } from "./table";
