/** The Meta Graph simulator: start one with createMetaSimulator(). */
export { createMetaSimulator, DEFAULT_SIM_APP_ID, DEFAULT_SIM_APP_SECRET, type MetaSimulator, type MetaSimulatorOptions } from "./server";
export type { FaultConfig, FaultRule } from "./faults";
export type { Scenario, ScenarioInput, SeedPhoneInput, SeedTokenInput, SimControl } from "./control";
export { DEFAULT_REQUIRED_ITEM_FIELDS, type SimConfig, type SimItem, type SimState } from "./state";
export { MAX_BATCH_REQUESTS } from "./catalog";
