/* Freestanding shim: nothing from stdlib is used; the header only has to exist. */
#pragma once
#include <stddef.h>
