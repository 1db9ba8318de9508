#include <png.h>
// Macros Swift cannot import, as constants.
static const unsigned int hotline_png_image_version = PNG_IMAGE_VERSION;
static const unsigned int hotline_png_format_rgba = PNG_FORMAT_RGBA;
static const unsigned int hotline_png_format_rgb = PNG_FORMAT_RGB;
