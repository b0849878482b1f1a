#ifndef TUITION_CLIBPQ_SHIM_H
#define TUITION_CLIBPQ_SHIM_H
#include <libpq-fe.h>
#endif
