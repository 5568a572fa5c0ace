# SPDX-License-Identifier: GPL-2.0
# case.mk: the build rules every patchgen case's Makefile includes (prog, optional lib, depfiles).
#
# A case's Makefile sets, then includes this file:
#   CASE_CFLAGS   the case's own code generation flags (-O2, -fno-pie, ...);
#                 they come after $(CFLAGS), so they win over the environment's
#   CASE_LDFLAGS  link flags of prog (-no-pie, ...)
#   PROG_OBJS     prog's objects besides driver.o (from NAME.c or NAME.cpp)
#   LIB           optional shared library (libNAME.so) that prog links to,
#   LIB_OBJS      built from lib-*.c with -fPIC
# CC, CXX, CFLAGS, CXXFLAGS, LDFLAGS and LDLIBS are taken from the
# environment or the command line, so that lkp-cc can stand in for CC/CXX.

COMMON := $(patsubst %/,%,$(dir $(lastword $(MAKEFILE_LIST))))
CFLAGS ?= -g -Wall
CXXFLAGS ?= -g -Wall
LINK ?= $(CC)

CASE_CPPFLAGS = -I$(COMMON) -D_GNU_SOURCE -MMD -MP
ALL_CFLAGS = $(CFLAGS) $(CASE_CFLAGS)
ALL_CXXFLAGS = $(CXXFLAGS) $(CASE_CFLAGS)

comma := ,
PROG_LIBS := $(if $(LIB),-L. -l$(patsubst lib%.so,%,$(LIB)) -Wl$(comma)-rpath$(comma)'$$ORIGIN')

.PHONY: all clean
all: prog

prog: driver.o $(PROG_OBJS) $(LIB)
	$(LINK) $(ALL_CFLAGS) $(CASE_LDFLAGS) $(LDFLAGS) -o $@ driver.o $(PROG_OBJS) $(PROG_LIBS) $(LDLIBS)

$(LIB): $(LIB_OBJS)
	$(CC) $(ALL_CFLAGS) -fPIC -shared $(LDFLAGS) -Wl,-soname,$@ -o $@ $(LIB_OBJS)

driver.o: $(COMMON)/driver.c
	$(CC) $(CASE_CPPFLAGS) $(ALL_CFLAGS) -c -o $@ $<

lib-%.o: lib-%.c
	$(CC) $(CASE_CPPFLAGS) $(ALL_CFLAGS) -fPIC -c -o $@ $<

%.o: %.c
	$(CC) $(CASE_CPPFLAGS) $(ALL_CFLAGS) -c -o $@ $<

%.o: %.cpp
	$(CXX) $(CASE_CPPFLAGS) $(ALL_CXXFLAGS) -c -o $@ $<

clean:
	rm -f prog $(LIB) *.o *.d *.i *.ii *.s

-include $(wildcard *.d)
