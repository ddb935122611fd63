#ifndef RECSH_CEDITLINE_SHIM_H
#define RECSH_CEDITLINE_SHIM_H
// libedit's native histedit API. el_set and history are C variadics, which
// Swift cannot call, so each use gets a typed static inline wrapper here.
#include <stdio.h>
#include <histedit.h>
#endif
