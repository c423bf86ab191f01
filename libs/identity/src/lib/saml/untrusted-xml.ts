import { DOMParser, type Document, type Element, type Node } from '@xmldom/xmldom';
import { SamlError } from './saml-error.js';

export const SAML_NAMESPACES = {
  protocol: 'urn:oasis:names:tc:SAML:2.0:protocol',
  assertion: 'urn:oasis:names:tc:SAML:2.0:assertion',
  metadata: 'urn:oasis:names:tc:SAML:2.0:metadata',
  xmldsig: 'http://www.w3.org/2000/09/xmldsig#',
} as const;

/** SAML messages and Entra metadata nest about ten deep; far deeper only serves to exhaust recursive c14n and XPath. */
const MAX_DEPTH = 32;
const ELEMENT_NODE = 1;

const STRICT_BASE64 = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;

/**
 * Decodes a base64 form or query field strictly: Node's decoder skips characters it does not
 * know, which would let two different fields decode to the same message. Line breaks are allowed
 * because some IdPs wrap long base64. The exact byte limit is the parser's; this one only keeps
 * an absurd field from being decoded at all.
 */
export function decodeBase64(encoded: string, maxDecodedBytes: number): Buffer {
  if (encoded.length > maxDecodedBytes * 2) throw new SamlError('too-large', `encoded message of ${encoded.length} characters`);
  const compact = encoded.replace(/[\r\n]/g, '');
  if (!STRICT_BASE64.test(compact)) throw new SamlError('encoding-invalid', 'message is not valid base64');
  return Buffer.from(compact, 'base64');
}

export function decodeUtf8(bytes: Uint8Array): string {
  try {
    return new TextDecoder('utf-8', { fatal: true }).decode(bytes);
  } catch (error) {
    throw new SamlError('encoding-invalid', 'message is not UTF-8', { cause: error });
  }
}

/**
 * Parses XML from outside and returns its root element. DTDs are refused before any parser sees
 * them (XXE, entity expansion), any parser warning stops parsing, and the nesting depth is bounded.
 */
export function parseUntrustedXml(xml: string, maxBytes: number): Element {
  const byteLength = Buffer.byteLength(xml, 'utf8');
  if (byteLength > maxBytes) throw new SamlError('too-large', `document of ${byteLength} bytes, at most ${maxBytes}`);
  // Every markup declaration starts with "<!" and none but comments and CDATA belong in SAML; false positives inside those are acceptable.
  if (/<!(?!--|\[CDATA\[)/.test(xml)) throw new SamlError('dtd-refused', 'document contains a DOCTYPE or markup declaration');
  const declaredEncoding = /^\uFEFF?<\?xml[^>]*?\sencoding\s*=\s*["']([^"']*)["']/.exec(xml)?.[1];
  if (declaredEncoding !== undefined && declaredEncoding.toLowerCase() !== 'utf-8') {
    throw new SamlError('encoding-invalid', `document declares encoding "${declaredEncoding}"`);
  }
  let document: Document;
  try {
    document = new DOMParser({
      locator: false,
      onError: (level, message) => {
        throw new Error(`${level}: ${message}`);
      },
    }).parseFromString(xml, 'text/xml');
  } catch (error) {
    throw new SamlError('malformed', 'document is not well-formed XML', { cause: error });
  }
  if (document.doctype) throw new SamlError('dtd-refused', 'document has a DOCTYPE');
  if (!document.documentElement) throw new SamlError('malformed', 'document has no root element');
  if (depthOf(document.documentElement) > MAX_DEPTH) throw new SamlError('too-deep', `elements nest deeper than ${MAX_DEPTH}`);
  return document.documentElement;
}

function depthOf(root: Element): number {
  let deepest = 0;
  const pending: { node: Node; depth: number }[] = [{ node: root, depth: 1 }];
  for (let next = pending.pop(); next; next = pending.pop()) {
    deepest = Math.max(deepest, next.depth);
    for (let child = next.node.firstChild; child; child = child.nextSibling) {
      if (child.nodeType === ELEMENT_NODE) pending.push({ node: child, depth: next.depth + 1 });
    }
  }
  return deepest;
}

function isElement(node: Node, namespace: string, localName: string): node is Element {
  return node.nodeType === ELEMENT_NODE && (node as Element).namespaceURI === namespace && (node as Element).localName === localName;
}

export function childElements(parent: Element, namespace: string, localName: string): Element[] {
  const children: Element[] = [];
  for (let child = parent.firstChild; child; child = child.nextSibling) {
    if (isElement(child, namespace, localName)) children.push(child);
  }
  return children;
}

/** The single child of that name; more than one is refused, because which one a reader picks is where ambiguity attacks live. */
export function singleChild(parent: Element, namespace: string, localName: string): Element | undefined {
  const children = childElements(parent, namespace, localName);
  if (children.length > 1) throw new SamlError('malformed', `${parent.localName} has ${children.length} ${localName} elements`);
  return children[0];
}

export function requiredChild(parent: Element, namespace: string, localName: string): Element {
  const child = singleChild(parent, namespace, localName);
  if (!child) throw new SamlError('malformed', `${parent.localName} has no ${localName}`);
  return child;
}

/** Every element below `root` (itself included) with that local name, in any namespace, as a lax reader would find them. */
export function elementsNamedAnywhere(root: Element, localName: string): Element[] {
  const found: Element[] = [];
  const pending: Node[] = [root];
  for (let node = pending.pop(); node; node = pending.pop()) {
    if (node.nodeType !== ELEMENT_NODE) continue;
    if ((node as Element).localName === localName) found.push(node as Element);
    for (let child = node.firstChild; child; child = child.nextSibling) pending.push(child);
  }
  return found;
}

/** The attribute's value, or undefined when it is absent (xmldom returns null, some readers return ""). */
export function attribute(element: Element, name: string): string | undefined {
  return element.hasAttribute(name) ? (element.getAttribute(name) ?? undefined) : undefined;
}

/** Text of an element; comments are not text, so `admin<!---->@evil` reads as `admin@evil`, never as `admin`. */
export function textOf(element: Element): string {
  return element.textContent ?? '';
}
