import { parse, type Filter } from 'scim2-parse-filter';
import { containsPattern } from '../db/like.js';
import { ScimError } from './errors.js';

/** Longer filters, or deeper and wider ones, are refused before they reach the database. */
export const FILTER_LIMITS = { length: 1000, depth: 8, comparisons: 32 } as const;

/**
 * A filterable attribute: the SQL expression it reads (a fixed text, never built from input), and whether values
 * compare without regard to case (then the column holds, or the expression yields, lower-case text).
 */
export interface FilterColumn {
  sql: string;
  caseInsensitive: boolean;
  /** `active`: a boolean that the expression turns into a condition of its own. */
  boolean?: (value: boolean) => string;
  /** A multi-valued reference (`members.value`): `eq` becomes an EXISTS over the parameter. */
  exists?: (parameter?: string) => string;
}

export interface SqlCondition {
  sql: string;
  params: Record<string, string>;
}

const invalid = (detail: string) => new ScimError(400, detail, 'invalidFilter');

/** Attribute paths compare case-insensitively, and may carry their schema URN (`urn:…:User:userName`). */
function attributeKey(path: string, schemaUrns: string[]): string {
  let key = path;
  for (const urn of schemaUrns) if (key.toLowerCase().startsWith(`${urn.toLowerCase()}:`)) key = key.slice(urn.length + 1);
  return key.toLowerCase();
}

export function parseFilter(text: string): Filter {
  if (text.length > FILTER_LIMITS.length) throw new ScimError(400, `filter is longer than ${FILTER_LIMITS.length} characters`, 'invalidFilter', 'filter_too_long');
  let filter: Filter;
  try {
    filter = parse(text);
  } catch (error) {
    throw invalid(`filter does not parse: ${(error as Error).message.slice(0, 200)}`);
  }
  let comparisons = 0;
  const walk = (node: Filter, depth: number) => {
    if (depth > FILTER_LIMITS.depth) throw new ScimError(400, `filter nests deeper than ${FILTER_LIMITS.depth} levels`, 'invalidFilter', 'filter_too_deep');
    if (node.op === 'and' || node.op === 'or') node.filters.forEach((child) => walk(child, depth + 1));
    else if (node.op === 'not') walk(node.filter, depth + 1);
    else if (node.op === '[]') walk(node.valFilter, depth + 1);
    else comparisons += 1;
    if (comparisons > FILTER_LIMITS.comparisons) throw new ScimError(400, `filter has more than ${FILTER_LIMITS.comparisons} comparisons`, 'invalidFilter', 'filter_too_wide');
  };
  walk(filter, 1);
  return filter;
}

/**
 * Translates a parsed filter into a SQL condition over the named columns only. Every value is a bound parameter;
 * LIKE wildcards in values are escaped. Operators or attributes outside the supported set are refused.
 */
export function filterToSql(filter: Filter, columns: Record<string, FilterColumn>, schemaUrns: string[]): SqlCondition {
  const params: Record<string, string> = {};
  const bind = (value: string) => {
    const name = `f${Object.keys(params).length}`;
    params[name] = value;
    return `:${name}`;
  };
  const column = (path: string) => {
    const found = columns[attributeKey(path, schemaUrns)];
    if (!found) throw invalid(`filtering on "${path.slice(0, 100)}" is not supported`);
    return found;
  };
  const build = (node: Filter): string => {
    switch (node.op) {
      case 'and':
      case 'or':
        return `(${node.filters.map(build).join(node.op === 'and' ? ' AND ' : ' OR ')})`;
      case 'not':
        return `(NOT ${build(node.filter)})`;
      case '[]':
        throw invalid('value filters ([...]) are not supported in a query; use attribute.subAttribute');
      case 'pr': {
        const target = column(node.attrPath);
        if (target.exists) return target.exists();
        if (target.boolean) return '1 = 1';
        return `(${target.sql} IS NOT NULL AND ${target.sql} <> '')`;
      }
      default: {
        const target = column(node.attrPath);
        const value = node.compValue;
        if (target.boolean) {
          if (typeof value !== 'boolean' || (node.op !== 'eq' && node.op !== 'ne')) throw invalid(`${node.attrPath} compares only with eq or ne and true or false`);
          return target.boolean(node.op === 'eq' ? value : !value);
        }
        if (typeof value !== 'string') throw invalid(`${node.attrPath} compares only with a string`);
        const needle = target.caseInsensitive ? value.toLowerCase() : value;
        if (target.exists) {
          if (node.op !== 'eq') throw invalid(`${node.attrPath} compares only with eq`);
          return target.exists(bind(needle));
        }
        switch (node.op) {
          case 'eq': return `${target.sql} = ${bind(needle)}`;
          case 'ne': return `(${target.sql} IS NULL OR ${target.sql} <> ${bind(needle)})`;
          case 'co': return `${target.sql} LIKE ${bind(containsPattern(needle))} ESCAPE '\\'`;
          case 'sw': return `${target.sql} LIKE ${bind(`${containsPattern(needle).slice(1)}`)} ESCAPE '\\'`;
          case 'ew': return `${target.sql} LIKE ${bind(`${containsPattern(needle).slice(0, -1)}`)} ESCAPE '\\'`;
          default: throw invalid(`the operator ${node.op} is not supported`);
        }
      }
    }
  };
  return { sql: build(filter), params };
}
