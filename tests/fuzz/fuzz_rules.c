/* SPDX-License-Identifier: MIT */
/* libFuzzer target: the YAML rule loader on arbitrary bytes. Properties: no
 * crash, hang or leak; a failure has a code and a message naming the file;
 * a rule set that loads can analyze a sentence in each language. */
#include <stdlib.h>
#include <string.h>

#include "gdprx.h"

static const char *const sentences[] = {
    "We keep your data for three years and never sell it.",
    "Nous conservons vos donn\u00e9es pendant trois ans.",
    "Wij bewaren uw gegevens drie jaar en verkopen ze niet.",
};

int LLVMFuzzerTestOneInput(const unsigned char *data, size_t size)
{
    gdprx_rules *rules = NULL;
    gdprx_error err;
    int rc = gdprx_rules_load_yaml(&rules, (const char *)data, size, "fuzz",
                                   &err);
    if (rc != GDPRX_OK) {
        if (rc >= 0 || !err.message[0] || strncmp(err.message, "fuzz", 4))
            abort();
        return 0;
    }
    for (int l = 0; l < 3; l++) {
        gdprx_options o;
        gdprx_options_init(&o);
        o.lang = (gdprx_lang)(l + 1);
        gdprx_result *r = NULL;
        if (gdprx_analyze(&r, rules, sentences[l], strlen(sentences[l]), &o,
                          &err) != GDPRX_OK)
            abort();
        gdprx_result_free(r);
    }
    gdprx_rules_free(rules);
    return 0;
}
