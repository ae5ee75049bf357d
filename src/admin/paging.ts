/** Auth0's offset paging (page, per_page, include_totals) over a list small enough to read whole. */
export interface OffsetPageRequest {
  page: number;
  perPage: number;
}

export interface OffsetPage<T> {
  items: T[];
  start: number;
  limit: number;
  total: number;
}

export function offsetPage<T>(all: readonly T[], { page, perPage }: OffsetPageRequest): OffsetPage<T> {
  const start = page * perPage;
  return { items: all.slice(start, start + perPage), start, limit: perPage, total: all.length };
}
