// Small DOM helpers for the page: typed lookups by id and element creation. Main thread only.

/** The element with `id`, which must exist and be of type `type` (a page bug otherwise). */
export function byId<T extends HTMLElement = HTMLElement>(id: string, type: { new (): T } = HTMLElement as unknown as { new (): T }): T {
  const element = document.getElementById(id);
  if (!(element instanceof type)) throw new Error(`page: #${id} is missing or not a ${type.name}`);
  return element;
}

/** A new element with attributes and children (strings become text nodes). */
export function h<K extends keyof HTMLElementTagNameMap>(
  tag: K,
  attributes: Record<string, string | number | boolean | undefined> = {},
  ...children: (Node | string)[]
): HTMLElementTagNameMap[K] {
  const element = document.createElement(tag);
  for (const [name, value] of Object.entries(attributes)) {
    if (value === undefined || value === false) continue;
    if (name === "class") element.className = String(value);
    else if (name === "style") element.setAttribute("style", String(value));
    else element.setAttribute(name, value === true ? "" : String(value));
  }
  element.append(...children);
  return element;
}

/** Shows or hides an element, setting its text when given. */
export function show(element: HTMLElement, visible: boolean, text?: string): void {
  if (text !== undefined) element.textContent = text;
  element.hidden = !visible;
}
