import { createElement as h } from "react";
import { renderToStaticMarkup } from "react-dom/server";
import { describe, expect, it } from "vitest";
import { Alert, Badge, Button, EmptyState, Field, Input, PageHeader, Section, Skeleton, Spinner, Table, TBody, TD, TH, THead, TR } from "./index";

const html = (node: Parameters<typeof renderToStaticMarkup>[0]) => renderToStaticMarkup(node);

describe("components/ui", () => {
  it("Button: a type=button with a visible focus ring; loading disables it, marks it busy and shows a spinner", () => {
    expect(html(h(Button, null, "Save"))).toMatch(/^<button type="button" class="[^"]*focus-visible:outline-2[^"]*bg-accent[^"]*">Save<\/button>$/);
    const busy = html(h(Button, { loading: true, variant: "secondary", type: "submit" }, "Save"));
    expect(busy).toContain('type="submit"');
    expect(busy).toContain("disabled");
    expect(busy).toContain('aria-busy="true"');
    expect(busy).toMatch(/<svg[^>]*aria-hidden="true"/);
  });

  it("Field: label for the control, hint and error described by id, invalid flagged", () => {
    const out = html(h(Field, { label: "Title", hint: "Shown in the list", error: "Required", id: "t", children: (p) => h(Input, { ...p, name: "title" }) }));
    expect(out).toContain('<label for="t"');
    expect(out).toMatch(/<input id="t" aria-describedby="t-error t-hint" aria-invalid="true" class="[^"]*" name="title"/);
    expect(out).toContain('<p id="t-hint"');
    expect(out).toContain('<p id="t-error"');
    const plain = html(h(Field, { label: "Title", children: (p) => h(Input, p) }));
    const id = /<label for="([^"]+)"/.exec(plain)?.[1];
    expect(id).toBeTruthy();
    expect(plain).toContain(`<input id="${id}"`);
    expect(plain).not.toContain("aria-describedby");
  });

  it("Alert: errors interrupt (role=alert), other tones are polite (role=status), announce=false is plain", () => {
    expect(html(h(Alert, { tone: "error", title: "Failed" }))).toMatch(/^<div role="alert"/);
    expect(html(h(Alert, { tone: "success" }, "Saved"))).toMatch(/^<div role="status"/);
    expect(html(h(Alert, { tone: "warning", announce: false }, "Note"))).not.toContain("role=");
  });

  it("Spinner and Skeleton are status regions named by the label they are given", () => {
    expect(html(h(Spinner, { label: "Loading deals" }))).toMatch(/^<div role="status"[^>]*>.*<span class="sr-only">Loading deals<\/span><\/div>$/);
    const sk = html(h(Skeleton, { label: "Loading", lines: 2 }));
    expect(sk).toMatch(/^<div role="status"/);
    expect(sk.match(/aria-hidden="true"/g)).toHaveLength(2);
  });

  it("Table: a keyboard-scrollable region named by its caption; TH has a scope", () => {
    const head = h(THead, { key: "h", children: h(TR, { children: h(TH, { children: "Title" }) }) });
    const body = h(TBody, { key: "b", children: h(TR, { children: h(TD, { numeric: true, children: "12" }) }) });
    const out = html(h(Table, { caption: "Deals", children: [head, body] }));
    const id = /<caption id="([^"]+)"/.exec(out)?.[1];
    expect(out).toContain(`role="region" aria-labelledby="${id}" tabindex="0"`);
    expect(out).toContain('<th scope="col"');
    expect(out).toMatch(/<td class="[^"]*tabular-nums[^"]*">12<\/td>/);
  });

  it("Section, PageHeader, EmptyState, Badge take all their text from props", () => {
    const section = html(h(Section, { title: "Portal", children: "body" }));
    const id = /<section aria-labelledby="([^"]+)"/.exec(section)?.[1];
    expect(section).toContain(`<h2 id="${id}"`);
    expect(html(h(PageHeader, { title: "Deals", description: "All deals" }))).toMatch(/<h1[^>]*>Deals<\/h1><p[^>]*>All deals<\/p>/);
    expect(html(h(EmptyState, { title: "No deals", headingLevel: 3 }, "Create one"))).toMatch(/<h3[^>]*>No deals<\/h3>/);
    expect(html(h(Badge, { tone: "success", children: "Active" }))).toMatch(/^<span class="[^"]*text-success-content[^"]*">Active<\/span>$/);
  });
});
