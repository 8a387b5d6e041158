/**
 * The protocol layer's JSON-RPC error responses: the model's (one implementation for
 * every layer), under the names this layer's files import.
 */
export { echoableId, JsonRpcErrorCode, jsonRpcErrorResponse, type JsonRpcId } from '../model/json-rpc-error';
