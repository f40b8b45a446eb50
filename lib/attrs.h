/* SPDX-License-Identifier: MIT */
/* Attribute extraction: the text of a named group -> a duration in ISO 8601
 * or an age, using the language's number words and unit words. */
#ifndef GX_ATTRS_H
#define GX_ATTRS_H

#include <stddef.h>

#include "lexicon.h"

#define GX_ISO_MAX 48

/* Read a duration phrase ("3 years", "un an et six mois", "72 uur").
 * fallback_unit (0 for none) is used for a trailing number without a unit
 * ("5" in "5 to 10 years", "2" in "2 to 3 decades"). Units are values as in
 * gx_lexicon.units (GX_UNIT_VALUE: a designator and a count; a plain
 * designator such as 'Y' counts once). Writes the ISO 8601 form into iso
 * and the last unit seen into *last_unit. Returns 0, or -1 if the phrase
 * holds no number-unit pair (nor is, as a whole, one of the lexicon's
 * duration_phrases: "sous quinzaine", "binnen de maand"). */
int gx_duration(const gx_lexicon *lx, const char *s, size_t n,
                long fallback_unit, char iso[GX_ISO_MAX], long *last_unit);

/* The first number in a phrase (digits or number words), or -1. */
int gx_first_number(const gx_lexicon *lx, const char *s, size_t n);

/* Remove, in place, the default-ignorable code points (zero-width space
 * and joiners, soft hyphen, word joiner, BOM ...) from the NUL-terminated
 * UTF-8 string s: normalized text has none, so a value matched there ("an
 * address followed by a zero-width space") and copied from the original
 * text may hold some at its edges or inside. Returns the new length. */
size_t gx_strip_ignorable(char *s);

#endif
