// The page's <h1> is the chapter title from the manifest. A lesson that starts
// with its own `# Heading` gets every heading moved one level down, so the page
// keeps one h1 and an unbroken outline.
/** @returns {(tree: any) => void} */
export function rehypeLessonHeadings() {
  return (tree) => {
    /** @type {any[]} */
    const headings = [];
    /** @param {any} node */
    const walk = (node) => {
      if (node.type === 'element' && /^h[1-6]$/.test(node.tagName)) headings.push(node);
      for (const child of node.children ?? []) walk(child);
    };
    walk(tree);
    if (!headings.some((h) => h.tagName === 'h1')) return;
    for (const h of headings) h.tagName = `h${Math.min(6, Number(h.tagName[1]) + 1)}`;
  };
}
