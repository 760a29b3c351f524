export { fitIsotonic, applyIsotonic, type IsotonicKnots } from "./isotonic.js";
export {
  fitPlatt,
  applyPlatt,
  MIN_PLATT_SLOPE,
  type PlattParams,
  type PlattFitOptions,
  type PlattStep,
} from "./platt.js";
export {
  PFAIL_CALIBRATION_METHODS,
  pFailCalibrationSchema,
  fitPFailCalibration,
  applyPFailCalibration,
  type PFailCalibration,
  type PFailCalibrationMethod,
} from "./calibrator.js";
export {
  reliabilityReport,
  wilsonInterval,
  normalQuantile,
  type ReliabilityBin,
  type ReliabilityBinning,
  type ReliabilityOptions,
  type ReliabilityReport,
} from "./reliability.js";
