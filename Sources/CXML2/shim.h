// libxml2 is built with ICU, whose headers clash with the ICU inside Foundation. The parser
// is used with UTF-8 and its built-in encodings only, so ICU's converter header is kept out
// and its two types declared opaque, as libxml2's own structs need them.
#define UCNV_H 1
#include <stdint.h>
typedef struct UConverter UConverter;
typedef uint16_t UChar;
#include <libxml/HTMLparser.h>
#include <libxml/tree.h>

// xmlFree is a global function pointer Swift cannot call safely; this calls it.
static inline void hotline_xml_free(void *pointer) { xmlFree(pointer); }
