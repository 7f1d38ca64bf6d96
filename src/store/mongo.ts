import { StoreError, type OpenStoreOptions, type Store } from './types.js';
export async function openMongoStore(_url: string, _options: OpenStoreOptions = {}): Promise<Store> {
  throw new StoreError('mongodb:// stores: in progress');
}
