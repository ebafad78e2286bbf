import { DOMParser, type Document, type Element } from '@xmldom/xmldom';
import xpath from 'xpath';
import { hasDoctype } from './reject-doctype.js';

export class XmlError extends Error {}

/** Parses XML strictly: a DOCTYPE is refused before parsing, and any parser warning or error is a failure. */
export function parseXml(xml: string): Document {
  if (hasDoctype(xml)) throw new XmlError('document type declarations are not allowed');
  let document: Document;
  try {
    document = new DOMParser({
      onError: (level, message) => {
        throw new XmlError(`${level}: ${message}`);
      },
    }).parseFromString(xml, 'text/xml');
  } catch (error) {
    throw error instanceof XmlError ? error : new XmlError(error instanceof Error ? error.message.split('\n')[0]! : String(error));
  }
  if (!document.documentElement) throw new XmlError('not an XML document');
  return document;
}

/** Elements matched by an XPath expression (use local-name() tests: prefixes vary between IdPs). */
export function selectElements(expression: string, node: Document | Element): Element[] {
  const found = xpath.select(expression, node as unknown as Node);
  return (Array.isArray(found) ? (found as unknown[]) : []).filter((item) => (item as Element).nodeType === 1) as Element[];
}

/** The values of the attributes matched by an XPath expression. */
export function selectValues(expression: string, node: Document | Element): string[] {
  const found = xpath.select(expression, node as unknown as Node);
  return (Array.isArray(found) ? found : []).map((item) => (item as { nodeValue?: string | null; textContent?: string | null }).nodeValue ?? (item as { textContent?: string | null }).textContent ?? '');
}

export const el = (name: string) => `*[local-name()='${name}']`;
