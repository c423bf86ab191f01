import type { Element } from '@xmldom/xmldom';
import { parseUntrustedXml, SAML_NAMESPACES, SamlError } from '@veilig/identity';
import { RefusedRequest } from '../refused-request.js';

export { SAML_NAMESPACES };

const ELEMENT_NODE = 1;
/** An AuthnRequest or LogoutRequest is a few KiB; anything far larger is not one. */
const MAX_MESSAGE_BYTES = 64 * 1024;

/**
 * Parses a message a service provider sent, with the kit's own hardened parser: a development
 * IdP still listens on a port anyone on the machine can reach.
 */
export function parseSamlMessage(xml: string): Element {
  let root: Element;
  try {
    root = parseUntrustedXml(xml, MAX_MESSAGE_BYTES);
  } catch (error) {
    throw new RefusedRequest(`the SAML message was refused (${error instanceof SamlError ? error.reason : 'malformed'})`, { cause: error });
  }
  if (root.namespaceURI !== SAML_NAMESPACES.protocol) throw new RefusedRequest('the SAML message is not a SAML 2.0 protocol message');
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
