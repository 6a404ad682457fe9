/** One label/value row of a facts <dl> (the doctor's sections, the licence facts). */
export function Row({ label, children }: { label: React.ReactNode; children: React.ReactNode }) {
  return (
    <div className="grid grid-cols-3 gap-4 py-2">
      <dt className="text-slate-500">{label}</dt>
      <dd className="col-span-2 font-medium break-words text-slate-900">{children}</dd>
    </div>
  );
}
