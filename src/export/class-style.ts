// How the three nucleus classes are named and coloured in every export: the overlay outlines and the
// GeoJSON classifications use the same colours (tumor red, lymphocyte green, stroma blue, as the
// reference's _seg_colored_3types image).
import type { NucleusClass } from '../image/labels.js';

export type Rgb = readonly [number, number, number];

/** Display names, capitalised as QuPath's built-in classes are. */
export const CLASS_DISPLAY_NAMES: Readonly<Record<NucleusClass, string>> = { 0: 'Tumor', 1: 'Lymphocyte', 2: 'Stroma' };

export const CLASS_COLOURS: Readonly<Record<NucleusClass, Rgb>> = { 0: [255, 0, 0], 1: [0, 255, 0], 2: [0, 0, 255] };
