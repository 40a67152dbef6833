// loopcoach browser editor.
//
// Turns every <textarea data-editor="python"> into a CodeMirror 6 editor.
// The textarea stays in the DOM (hidden) and always holds the current code,
// so ordinary form posts and htmx requests keep working unchanged.

import { minimalSetup } from "codemirror";
import { EditorState, EditorSelection } from "@codemirror/state";
import {
  EditorView,
  keymap,
  lineNumbers,
  highlightActiveLine,
  highlightActiveLineGutter,
} from "@codemirror/view";
import { indentWithTab } from "@codemirror/commands";
import {
  indentUnit,
  indentOnInput,
  bracketMatching,
  foldGutter,
} from "@codemirror/language";
import { python } from "@codemirror/lang-python";

const INDENT = "    ";
const TAB_WIDTH = INDENT.length;
const READY_EVENT = "loopcoach:editor-ready";
const SELECTOR = 'textarea[data-editor="python"]';

// textarea element -> EditorView
const views = new WeakMap();

// Tab with a bare cursor: pad with spaces up to the next 4-column stop.
// With a selection, decline so the indentWithTab binding indents the lines.
function insertSpacesToTabStop(view) {
  const { state } = view;
  if (state.readOnly) return false;
  if (state.selection.ranges.some((r) => !r.empty)) return false;
  const tr = state.changeByRange((range) => {
    const line = state.doc.lineAt(range.head);
    let col = 0;
    for (const ch of line.text.slice(0, range.head - line.from)) {
      col = ch === "\t" ? col + TAB_WIDTH - (col % TAB_WIDTH) : col + 1;
    }
    const pad = " ".repeat(TAB_WIDTH - (col % TAB_WIDTH));
    return {
      changes: { from: range.head, insert: pad },
      range: EditorSelection.cursor(range.head + pad.length),
    };
  });
  view.dispatch(state.update(tr, { scrollIntoView: true, userEvent: "input" }));
  return true;
}

const lightTheme = EditorView.theme(
  {
    "&": {
      backgroundColor: "#ffffff",
      color: "#1f2328",
      border: "1px solid #d0d7de",
      borderRadius: "6px",
      fontSize: "14px",
    },
    "&.cm-focused": {
      outline: "2px solid #0969da",
      outlineOffset: "-1px",
    },
    ".cm-scroller": {
      fontFamily:
        'ui-monospace, SFMono-Regular, "DejaVu Sans Mono", Menlo, Consolas, monospace',
      lineHeight: "1.5",
    },
    ".cm-content, .cm-gutter": { minHeight: "360px" },
    ".cm-content": { caretColor: "#1f2328", padding: "8px 0" },
    ".cm-gutters": {
      backgroundColor: "#f6f8fa",
      color: "#6e7781",
      borderRight: "1px solid #d0d7de",
      borderTopLeftRadius: "6px",
      borderBottomLeftRadius: "6px",
    },
    ".cm-activeLine": { backgroundColor: "#f3f6fa" },
    ".cm-activeLineGutter": { backgroundColor: "#eaeef2", color: "#1f2328" },
    "&.cm-focused .cm-selectionBackground, .cm-selectionBackground, ::selection":
      { backgroundColor: "#b6d7ff" },
    "&.cm-focused .cm-matchingBracket": {
      backgroundColor: "#d2f4d3",
      outline: "1px solid #7fc98a",
    },
    "&.cm-focused .cm-nonmatchingBracket": { backgroundColor: "#ffd8d3" },
  },
  { dark: false }
);

function labelFor(textarea) {
  const explicit = textarea.getAttribute("aria-label");
  if (explicit) return explicit;
  if (textarea.labels && textarea.labels.length) {
    return textarea.labels[0].textContent.trim();
  }
  return "Python code editor";
}

function attach(textarea) {
  if (views.has(textarea)) return views.get(textarea);

  const readOnly = textarea.readOnly || textarea.disabled;
  const syncToTextarea = EditorView.updateListener.of((update) => {
    if (update.docChanged) textarea.value = update.state.doc.toString();
  });

  const state = EditorState.create({
    doc: textarea.value,
    extensions: [
      lineNumbers(),
      highlightActiveLineGutter(),
      foldGutter(),
      highlightActiveLine(),
      indentOnInput(),
      bracketMatching(),
      EditorState.tabSize.of(TAB_WIDTH),
      indentUnit.of(INDENT),
      keymap.of([{ key: "Tab", run: insertSpacesToTabStop }, indentWithTab]),
      // history, undo/redo keys, Enter with auto-indent, default highlighting
      minimalSetup,
      python(),
      lightTheme,
      EditorState.readOnly.of(readOnly),
      EditorView.editable.of(!readOnly),
      EditorView.contentAttributes.of({ "aria-label": labelFor(textarea) }),
      syncToTextarea,
    ],
  });

  const view = new EditorView({ state });
  textarea.insertAdjacentElement("afterend", view.dom);
  textarea.style.display = "none";
  textarea.setAttribute("data-editor-attached", "");
  views.set(textarea, view);

  textarea.dispatchEvent(
    new CustomEvent(READY_EVENT, { bubbles: true, detail: { view } })
  );
  return view;
}

function attachAll(root) {
  const scope = root && root.querySelectorAll ? root : document;
  if (scope.matches && scope.matches(SELECTOR)) attach(scope);
  scope.querySelectorAll(SELECTOR).forEach(attach);
}

function viewById(id) {
  const el = document.getElementById(id);
  return el ? views.get(el) || null : null;
}

window.loopcoachEditor = {
  get(id) {
    const view = viewById(id);
    if (view) return view.state.doc.toString();
    const el = document.getElementById(id);
    return el && "value" in el ? el.value : null;
  },
  set(id, text) {
    const value = text == null ? "" : String(text);
    const view = viewById(id);
    if (view) {
      view.dispatch({
        changes: { from: 0, to: view.state.doc.length, insert: value },
      });
      return true;
    }
    const el = document.getElementById(id);
    if (el && "value" in el) {
      el.value = value;
      return true;
    }
    return false;
  },
};

if (document.readyState === "loading") {
  document.addEventListener("DOMContentLoaded", () => attachAll(document));
} else {
  attachAll(document);
}

// Content swapped in by htmx gets editors too.
document.addEventListener("htmx:load", (event) => attachAll(event.target));
