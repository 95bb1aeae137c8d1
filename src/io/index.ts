// Public API of adtkit/io.
export * from './audio/index.js';
// Annotations, class mappings, frame targets and writers (TF-free).
export {
  defineMapping,
  mappingToSpec,
  classIndexOfLabel,
  classIndexOfPitch,
  type ClassMapping,
  type ClassMappingSpec,
  type UnknownLabelPolicy,
} from './mappings.js';
export {
  DEFAULT_MAPPING,
  THESIS_GM_MAPPING,
  THESIS_ROLAND_MAPPING,
  ADTOF_MAPPING,
  ENST_MAPPING,
  MDB_MAPPING,
  MDB_CLASS_MAPPING,
  BUILTIN_MAPPINGS,
} from './builtinMappings.js';
export {
  parseTextAnnotations,
  type ParseTextAnnotationsOptions,
  type TextAnnotationsResult,
  type SkippedAnnotation,
  type LabelSuffixPolicy,
} from './textAnnotations.js';
export {
  parseMidiAnnotations,
  type ParseMidiAnnotationsOptions,
  type MidiAnnotationsResult,
  type MidiDrumEvent,
} from './midiAnnotations.js';
export {
  roundHalfEven,
  timeToFrame,
  eventsToTargets,
  widenTargets,
  type FrameTargets,
  type EventsToTargetsOptions,
  type EventsToTargetsResult,
  type OutOfRangePolicy,
  type WidenTargetsOptions,
} from './targets.js';
export {
  eventsToMidi,
  eventsToText,
  midiNoteMapFor,
  DEFAULT_GM_DRUM_NOTES,
  type EventsToMidiOptions,
  type EventsToTextOptions,
} from './writers.js';
export {
  eventsToJson,
  parseEventsJson,
  EVENTS_JSON_FORMAT,
  EVENTS_JSON_VERSION,
  type EventsJsonDocument,
  type EventsToJsonOptions,
  type ParseEventsJsonOptions,
  type EventsJsonResult,
} from './eventsJson.js';
