/** The bounded LRU lives in core (the runs module caches run ownership with it too). */
export { LruCache } from '@polymaker/api/core';
