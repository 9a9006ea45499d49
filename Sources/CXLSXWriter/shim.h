#ifndef BPTRACE_CXLSXWRITER_SHIM_H
#define BPTRACE_CXLSXWRITER_SHIM_H
#include <xlsxwriter.h>
#endif
