# SPDX-License-Identifier: GPL-2.0
# mk/install.mk: man pages, make install/uninstall (tools, manuals, unit, udev, modules-load.d, completion, DKMS source) and make dkms.
#
# Included by the top Makefile (TOP, B, Q, PREFIX, DESTDIR, KDIR come from it).
# Directories follow the GNU names and can each be overridden; the files that
# udev, systemd and modprobe read stay under /etc whatever PREFIX is, since
# they look nowhere under /usr/local.

# One version for the module, DKMS and the man pages: the module's own.
VERSION := $(shell sed -n 's/^\#define LKP_MODULE_VERSION[[:space:]]*"\(.*\)"/\1/p' $(TOP)/kmod/lkp.h)

BINDIR ?= $(PREFIX)/bin
SBINDIR ?= $(PREFIX)/sbin
MANDIR ?= $(PREFIX)/share/man
DOCDIR ?= $(PREFIX)/share/doc/lkp
BASHCOMPDIR ?= $(PREFIX)/share/bash-completion/completions
SYSCONFDIR ?= /etc
UNITDIR ?= $(SYSCONFDIR)/systemd/system
UDEVRULESDIR ?= $(SYSCONFDIR)/udev/rules.d
MODULESLOADDIR ?= $(SYSCONFDIR)/modules-load.d
DKMSSRCDIR ?= /usr/src/lkp-$(VERSION)

# The manuals: man/NAME.SECTION.scd -> $(B)/man/NAME.SECTION
MAN_SRCS := $(wildcard $(TOP)/man/*.scd)
MAN_PAGES := $(MAN_SRCS:$(TOP)/man/%.scd=$(B)/man/%)

# What the tools need at run time: lkp-patch-make runs lkp-cc, lkp-gensrc,
# lkp-mkpatch and (for a .dsc) lkp-patch-deb from its own directory.
SBIN_TOOLS := lkpctl lkpd
BIN_TOOLS := lkp-patch-make lkp-cc lkp-gensrc lkp-mkpatch lkp-patch-deb
DOCS := $(wildcard $(TOP)/docs/*.md) $(TOP)/README.md
# The module's source for DKMS: the top Kbuild builds kmod/.
DKMS_SRCS := Kbuild $(patsubst $(TOP)/%,%,$(filter-out %.mod.c,$(wildcard $(TOP)/kmod/*.c $(TOP)/kmod/*.h))) \
	kmod/Kbuild include/uapi/linux/lkp.h

.PHONY: man install-files install-dkms-src install-module uninstall dkms

man: $(MAN_PAGES)

$(B)/man/%: $(TOP)/man/%.scd
	@mkdir -p $(dir $@)
	$(if $(Q),@echo "  SCDOC   man/$*")
	$(Q)scdoc <$< >$@.tmp && mv $@.tmp $@

$(B)/dist/lkpd.service: $(TOP)/user/lkpd/lkpd.service $(TOP)/mk/install.mk
	@mkdir -p $(dir $@)
	$(Q)sed -e 's|@SBINDIR@|$(SBINDIR)|g' -e 's|@DOCDIR@|$(DOCDIR)|g' $< >$@
$(B)/dist/dkms.conf: $(TOP)/dist/dkms.conf.in $(TOP)/kmod/lkp.h
	@mkdir -p $(dir $@)
	$(Q)sed 's|@VERSION@|$(VERSION)|g' $< >$@
# PREFIX and the directories are baked into the unit: rebuild it every time.
.PHONY: $(B)/dist/lkpd.service

# Everything but the module: what needs no kernel (and what the install test runs).
install-files: $(MAN_PAGES) $(B)/dist/lkpd.service install-dkms-src
	$(Q)for t in $(SBIN_TOOLS); do \
		install -D -m 0755 $(B)/bin/$$t $(DESTDIR)$(SBINDIR)/$$t || exit; done
	$(Q)for t in $(BIN_TOOLS); do \
		install -D -m 0755 $(B)/bin/$$t $(DESTDIR)$(BINDIR)/$$t || exit; done
	$(Q)ln -sf lkp-cc $(DESTDIR)$(BINDIR)/lkp-c++
	$(Q)for m in $(MAN_PAGES); do \
		s=$${m##*.}; install -D -m 0644 $$m $(DESTDIR)$(MANDIR)/man$$s/$$(basename $$m) || exit; done
	$(Q)ln -sf lkp-cc.1 $(DESTDIR)$(MANDIR)/man1/lkp-c++.1
	$(Q)install -d $(DESTDIR)$(DOCDIR)
	$(Q)install -m 0644 $(DOCS) $(DESTDIR)$(DOCDIR)/
	$(Q)install -D -m 0644 $(B)/dist/lkpd.service $(DESTDIR)$(UNITDIR)/lkpd.service
	$(Q)install -D -m 0644 $(TOP)/dist/60-lkp.rules $(DESTDIR)$(UDEVRULESDIR)/60-lkp.rules
	$(Q)install -D -m 0644 $(TOP)/dist/modules-load.conf $(DESTDIR)$(MODULESLOADDIR)/lkp.conf
	$(Q)install -D -m 0644 $(TOP)/dist/lkpctl.bash $(DESTDIR)$(BASHCOMPDIR)/lkpctl

install-dkms-src: $(B)/dist/dkms.conf
	$(Q)for f in $(DKMS_SRCS); do \
		install -D -m 0644 $(TOP)/$$f $(DESTDIR)$(DKMSSRCDIR)/$$f || exit; done
	$(Q)install -m 0644 $(B)/dist/dkms.conf $(DESTDIR)$(DKMSSRCDIR)/dkms.conf

# The release the module was built for, from its vermagic: Debian's headers
# carry a kernel.release that differs from the directory name modprobe uses.
KVER = $(firstword $(shell modinfo -F vermagic $(TOP)/kmod/lkp.ko 2>/dev/null))
install-module:
	$(Q)install -D -m 0644 $(TOP)/kmod/lkp.ko $(DESTDIR)/lib/modules/$(KVER)/extra/lkp.ko
	$(Q)test -n "$(DESTDIR)" || depmod -a $(KVER)

install: all
	$(Q)$(MAKE) install-files install-module

# What install put in place (the module of every kernel, from make install or DKMS, too).
uninstall:
	$(Q)rm -f $(addprefix $(DESTDIR)$(SBINDIR)/,$(SBIN_TOOLS)) \
		$(addprefix $(DESTDIR)$(BINDIR)/,$(BIN_TOOLS) lkp-c++) \
		$(foreach m,$(MAN_SRCS:$(TOP)/man/%.scd=%),$(DESTDIR)$(MANDIR)/man$(subst .,,$(suffix $(m)))/$(m)) \
		$(DESTDIR)$(MANDIR)/man1/lkp-c++.1 \
		$(DESTDIR)$(UNITDIR)/lkpd.service $(DESTDIR)$(UDEVRULESDIR)/60-lkp.rules \
		$(DESTDIR)$(MODULESLOADDIR)/lkp.conf $(DESTDIR)$(BASHCOMPDIR)/lkpctl
	$(Q)rm -rf $(DESTDIR)$(DOCDIR) $(DESTDIR)$(DKMSSRCDIR)
	$(Q)if [ -z "$(DESTDIR)" ] && command -v dkms >/dev/null && $(DKMS) status -m lkp -v $(VERSION) | grep -q .; then \
		$(DKMS) remove -m lkp -v $(VERSION) --all; fi
	$(Q)for ko in $(wildcard $(DESTDIR)/lib/modules/*/extra/lkp.ko); do \
		rm -f $$ko && { test -n "$(DESTDIR)" || depmod -a $$(basename $${ko%/extra/lkp.ko}); } || exit; done

# DKMS: the installed source tree added, then built and installed for every
# kernel whose headers are installed (DKMS_KERNELS to choose). DKMS_ACTIONS=build
# stops before the install; DKMS_FLAGS reach every dkms call (--dkmstree,
# --sourcetree: the tests build in trees of their own).
DKMS_KERNELS ?= $(notdir $(patsubst %/build,%,$(wildcard /lib/modules/*/build)))
DKMS_ACTIONS ?= build install
DKMS_FLAGS ?=
DKMS := dkms $(DKMS_FLAGS)
dkms: install-dkms-src
	$(Q)$(DKMS) status -m lkp -v $(VERSION) | grep -q . || $(DKMS) add -m lkp -v $(VERSION)
	$(Q)for k in $(DKMS_KERNELS); do for a in $(DKMS_ACTIONS); do \
		$(DKMS) $$a -m lkp -v $(VERSION) -k $$k || exit; done; done
