import { DOMParser, type Document, type Element } from '@xmldom/xmldom';
import { RefusedRequest } from '../refused-request.js';

export const SAML_NAMESPACES = {
  protocol: 'urn:oasis:names:tc:SAML:2.0:protocol',
  assertion: 'urn:oasis:names:tc:SAML:2.0:assertion',
  metadata: 'urn:oasis:names:tc:SAML:2.0:metadata',
  xmldsig: 'http://www.w3.org/2000/09/xmldsig#',
} as const;

const ELEMENT_NODE = 1;

/**
 * Parses a message a service provider sent. A development IdP still listens on a port anyone on
 * the machine can reach, so markup declarations (XXE, entity expansion) are refused before the
 * parser sees them and any parser complaint refuses the message.
 */
export function parseSamlMessage(xml: string): Element {
  if (/<!(?!--|\[CDATA\[)/.test(xml)) throw new RefusedRequest('the SAML message contains a DOCTYPE or markup declaration');
  let document: Document;
  try {
    document = new DOMParser({
      locator: false,
      onError: (level, message) => {
        throw new Error(`${level}: ${message}`);
      },
    }).parseFromString(xml, 'text/xml');
  } catch (error) {
    throw new RefusedRequest('the SAML message is not well-formed XML', { cause: error });
  }
  const root = document.documentElement;
  if (!root || root.namespaceURI !== SAML_NAMESPACES.protocol) throw new RefusedRequest('the SAML message is not a SAML 2.0 protocol message');
  return root;
}

export function childElement(parent: Element, namespace: string, localName: string): Element | undefined {
  for (let node = parent.firstChild; node; node = node.nextSibling) {
    if (node.nodeType === ELEMENT_NODE && node.namespaceURI === namespace && node.localName === localName) return node as Element;
  }
  return undefined;
}

export function attributeOf(element: Element, name: string): string | undefined {
  return element.hasAttribute(name) ? element.getAttribute(name) ?? undefined : undefined;
}

export function textOf(element: Element | undefined): string | undefined {
  const text = element?.textContent?.trim();
  return text === '' ? undefined : text;
}

/** Escapes text for element content and double-quoted attribute values. */
export function xml(text: string): string {
  return text.replace(/[&<>"']/g, (character) => `&#${character.charCodeAt(0)};`);
}
