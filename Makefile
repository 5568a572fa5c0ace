# SPDX-License-Identifier: GPL-2.0
# Makefile: builds lkp.ko, the bpf objects, the user tools, the patch tools and the benchmarks; runs the tests, the demo and the benchmarks.
#
#   make            everything (module, bpf, user tools, patch tools, tests)
#   make deps       install the Debian packages the project needs (idempotent)
#   make check      deps + build + every test (host, then the VM suite)
#   make demo       deps + build + the end-to-end demo in the VM
#   make fuzz       fuzz the patch file reader for FUZZ_SECONDS (600); make fuzz-merge
#                   then folds new inputs into the corpus kept in tests/fuzz/corpus,
#                   make fuzz-coverage reports the reader's lines the corpus reaches
#   make bench-freeze  deps + build + the freeze benchmark in the VM (docs/bench-freeze.md)
#   make bench-apply   deps + build + the apply/undo benchmark in the VM (docs/bench-apply.md)
#   make install    tools, man pages, lkpd.service, udev rule, modules-load.d, bash
#                   completion, lkp.ko and its DKMS source (mk/install.mk; DESTDIR, PREFIX)
#   make dkms       lkp.ko through DKMS for every kernel with headers; make uninstall
#   make clean
#
# KDIR: kernel build dir (default: the running kernel's, else the installed
# linux-headers-amd64); V=1 shows commands.

TOP := $(CURDIR)
B := $(TOP)/build

# Resolved lazily: on a fresh machine the headers appear only after `make deps`.
KDIR ?= $(or $(wildcard /lib/modules/$(shell uname -r)/build),$(lastword $(sort $(wildcard /usr/src/linux-headers-*-amd64))))
PREFIX ?= /usr/local
DESTDIR ?=

ifeq ($(V),1)
Q :=
else
Q := @
MAKEFLAGS += --no-print-directory
endif
export Q V B TOP

# Sub-builds each own a directory; they write only below $(B) (and Kbuild below kmod/).
SUBDIRS := user patchgen bpf tests bench

.PHONY: all deps module check demo bench-freeze bench-apply bench-exec install clean $(SUBDIRS) kselftest-headers \
	checkpatch fuzz fuzz-merge fuzz-coverage

all: module $(SUBDIRS) man

deps:
	$(Q)$(TOP)/scripts/deps

module:
	$(Q)test -n "$(KDIR)" -a -d "$(KDIR)" || { echo "make: no kernel build dir (KDIR); run make deps" >&2; exit 1; }
	$(Q)$(MAKE) -C $(KDIR) M=$(TOP) modules

# The kselftest harness and checkpatch.pl come from Debian's kernel source package.
KSRC_TAR = $(lastword $(sort $(wildcard /usr/src/linux-source-*.tar.xz)))
KSRC := $(B)/kernel-src
kselftest-headers: $(KSRC)/.stamp
$(KSRC)/.stamp:
	$(Q)test -n "$(KSRC_TAR)" || { echo "make: no /usr/src/linux-source-*.tar.xz; run make deps" >&2; exit 1; }
	$(Q)rm -rf $(KSRC) && mkdir -p $(KSRC)
	$(Q)tar -xJf $(KSRC_TAR) -C $(KSRC) --strip-components=1 --occurrence=1 \
		$(addprefix $(basename $(basename $(notdir $(KSRC_TAR))))/, \
			tools/testing/selftests/kselftest_harness.h \
			tools/testing/selftests/kselftest.h \
			scripts/checkpatch.pl scripts/spelling.txt scripts/const_structs.checkpatch)
	$(Q)touch $@

tests: kselftest-headers bpf	# tests/bpf compiles user/lib/watch.c against the skeleton
user: bpf		# liblkp's watch.c includes the skeleton
patchgen: user		# the patch tools link liblkp (the patch file writer)
bench: user		# apply_bench links liblkp
user patchgen bpf tests bench:
	$(Q)$(MAKE) -C $@ KSRC=$(KSRC)

# check and demo start with deps and then re-enter make, so that KDIR and the
# other wildcards are resolved after the packages exist.
check:
	$(Q)$(TOP)/scripts/deps
	$(Q)$(MAKE) all
	$(Q)$(TOP)/tests/run-all

# The real server (Debian's memcached and its patch) is built on the host, cached.
demo:
	$(Q)$(TOP)/scripts/deps
	$(Q)$(MAKE) all
	$(Q)$(MAKE) -s -C $(TOP)/tests/real/server B=$(B)
	$(Q)$(TOP)/tests/real/deb/memcached/build
	$(Q)$(TOP)/tests/vm/run --name demo -- $(TOP)/scripts/demo

# The fuzzer writes what it finds to $(B)/fuzz/corpus and any crash to
# $(B)/fuzz/crash-*; the corpus in the tree and fresh writer seeds are read only.
FUZZ_SECONDS ?= 600
FUZZ_FLAGS ?=
fuzz:
	$(Q)$(MAKE) -C tests fuzzer
	$(Q)rm -rf $(B)/fuzz/seeds && mkdir -p $(B)/fuzz/seeds $(B)/fuzz/corpus
	$(Q)$(B)/tests/fuzz/mkseeds $(B)/fuzz/seeds
	$(Q)$(B)/tests/fuzz/lkpp_fuzz -max_total_time=$(FUZZ_SECONDS) -max_len=8192 \
		-print_final_stats=1 -dict=$(TOP)/tests/fuzz/lkpp.dict \
		-artifact_prefix=$(B)/fuzz/ $(FUZZ_FLAGS) \
		$(B)/fuzz/corpus $(B)/fuzz/seeds $(TOP)/tests/fuzz/corpus

fuzz-merge:
	$(Q)$(MAKE) -C tests fuzzer
	$(Q)mkdir -p $(TOP)/tests/fuzz/corpus
	$(Q)$(B)/tests/fuzz/lkpp_fuzz -set_cover_merge=1 -use_counters=0 \
		$(TOP)/tests/fuzz/corpus $(B)/fuzz/corpus

fuzz-coverage:
	$(Q)$(MAKE) -C tests fuzzer-cov
	$(Q)mkdir -p $(B)/fuzz/corpus $(B)/fuzz/cov && rm -f $(B)/fuzz/cov/*
	$(Q)LLVM_PROFILE_FILE=$(B)/fuzz/cov/%p.profraw $(B)/tests/fuzz/lkpp_fuzz-cov -runs=0 \
		$(TOP)/tests/fuzz/corpus $(B)/fuzz/corpus >/dev/null 2>&1
	$(Q)llvm-profdata merge -o $(B)/fuzz/cov/all.profdata $(B)/fuzz/cov/*.profraw
	$(Q)llvm-cov report $(B)/tests/fuzz/lkpp_fuzz-cov -instr-profile=$(B)/fuzz/cov/all.profdata \
		-ignore-filename-regex="fuzz/"

# Not part of check: a benchmark, not a test. LKP_BENCH_RUNS, LKP_BENCH_THREADS
# and LKP_BENCH_METHODS reach it inside the VM.
bench-freeze:
	$(Q)$(TOP)/scripts/deps
	$(Q)$(MAKE) module bench
	$(Q)mkdir -p $(B)/bench
	$(Q)$(TOP)/tests/vm/run --name bench-freeze --timeout 3600 -- \
		$(B)/bench/freeze_bench -o $(B)/bench/freeze.jsonl

# The target and its patch are built on the host, from bench/apply/target and
# bench/apply/fix.diff, in a fresh copy under $(B)/bench/apply. LKP_BENCH_RUNS,
# LKP_BENCH_THREADS, LKP_BENCH_PROCS, LKP_BENCH_OPS and LKP_BENCH_ITERS reach
# the benchmark inside the VM.
BENCH_APPLY := $(B)/bench/apply
bench-apply:
	$(Q)$(TOP)/scripts/deps
	$(Q)$(MAKE) module user patchgen bench
	$(Q)rm -rf $(BENCH_APPLY) && mkdir -p $(BENCH_APPLY)
	$(Q)cp -a $(TOP)/bench/apply/target $(BENCH_APPLY)/tree
	$(Q)env -u MAKEFLAGS -u MFLAGS $(B)/bin/lkp-patch-make -C $(BENCH_APPLY)/tree \
		$(TOP)/bench/apply/fix.diff
	$(Q)$(TOP)/tests/vm/run --name bench-apply --timeout 3600 -- \
		$(B)/bench/apply_bench -t $(BENCH_APPLY)/tree/prog -p $(BENCH_APPLY)/tree/patchroot \
		-o $(B)/bench/apply.jsonl

# The watched target and its patch as for bench-apply, from bench/exec; the
# unwatched one is the same source with a build-id of its own, so that lkpd
# neither finds nor holds it. LKP_BENCH_RUNS reaches the benchmark.
BENCH_EXEC := $(B)/bench/exec
BENCH_EXEC_ID := 0x6c6b702d62656e63682d657865632d756e776174
bench-exec:
	$(Q)$(TOP)/scripts/deps
	$(Q)$(MAKE) module user patchgen bench
	$(Q)rm -rf $(BENCH_EXEC) && mkdir -p $(BENCH_EXEC)/unwatched
	$(Q)cp -a $(TOP)/bench/exec/target $(BENCH_EXEC)/tree
	$(Q)env -u MAKEFLAGS -u MFLAGS $(B)/bin/lkp-patch-make -C $(BENCH_EXEC)/tree \
		$(TOP)/bench/exec/fix.diff
	$(Q)$(CC) -O2 -g -Wall -Wl,--build-id=$(BENCH_EXEC_ID) -o $(BENCH_EXEC)/unwatched/prog \
		$(TOP)/bench/exec/target/prog.c
	$(Q)$(TOP)/tests/vm/run --name bench-exec --timeout 3600 -- \
		$(B)/bench/exec_bench -t $(BENCH_EXEC)/tree/prog -u $(BENCH_EXEC)/unwatched/prog \
		-P "$$(echo $(BENCH_EXEC)/tree/patchroot/*.lkpp)" -b $(B)/bin -o $(B)/bench/exec.jsonl

checkpatch: kselftest-headers
	$(Q)perl $(KSRC)/scripts/checkpatch.pl --no-tree --terse -q --ignore SPDX_LICENSE_TAG \
		-f $(wildcard kmod/*.c kmod/*.h include/uapi/linux/*.h)

include $(TOP)/mk/install.mk

clean:
	$(Q)test -z "$(KDIR)" || $(MAKE) -C $(KDIR) M=$(TOP) clean
	$(Q)rm -rf $(B)
