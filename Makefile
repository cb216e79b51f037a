# SPDX-License-Identifier: GPL-2.0
#
# Our hardware-breakpoint series on top of Debian's linux-source-6.12, and the
# QEMU rig that proves it.  Everything generated lives in build/ (ignored).
#
#   make check               every suite on our kernel (the CI command)
#   make check KERNEL=base   the same suites on the pristine 6.12 baseline
#   make compare             both, one after the other, side by side
#   make run                 the demo: gdb and perf watching a variable
#   make bench               every benchmark on both kernels, side by side
#   make bench-control       the same with the baseline in both columns: the noise floor
#   make bench-icount        instructions per op of each kernel at one vCPU (QEMU -icount)
#   make arches              both kernels on every architecture with the core
#   make series              the patch series, build/series/patches
#   make series-check        the series: checkpatch, get_maintainer, every step built
#   make docs-check          our documentation as the docs build sees it (seconds)
#
# KERNEL=base|ours|fixes, HWBP_SMP=N (guest CPUs, default 4), ARCHES=row,... (make arches),
# BENCH_TOGETHER=1 (make bench: each round's two kernels booted at the same time).

KERNEL    ?= ours
B         := $(CURDIR)/build
PRISTINE  := $(B)/src/linux-source-6.12
OURS_SRC  := $(B)/ours-src
SRC_base  := $(PRISTINE)
SRC_ours  := $(OURS_SRC)
TARBALL   := /usr/src/linux-source-6.12.tar.xz

.PHONY: all setup source ours-src series series-check docs-check fixes base ours kernel image image-base \
	image-ours image-fixes check \
	check-lockdep check-debug check-distro robustness bench bench-control bench-icount compare golden run arches check-arches checkpatch provenance \
	fresh-check clean distclean

all: kernel

setup:
	@rig/setup.sh

$(PRISTINE)/.hwbp-extracted: | setup
	@echo "source: extracting $(TARBALL)"
	@rm -rf $(PRISTINE) && mkdir -p $(B)/src
	@tar -C $(B)/src -xJf $(TARBALL)
	@echo "source: Debian linux-source-6.12 $$(dpkg-query -W -f='$${Version}' linux-source-6.12)," \
	      "kernel $$(make -s -C $(PRISTINE) kernelversion)" | tee $@

source: $(PRISTINE)/.hwbp-extracted

# Our files and patches over the pristine tree: every target that needs
# build/ours-src depends on this, so one make run applies the overlay once.
ours-src: source
	@rig/apply-series.sh $(PRISTINE) $(OURS_SRC)

# The patch series for the mailing list (rig/series.py, series/): a git
# repository in build/series, the pristine tree then one commit per
# series/NN-name.msg, and its git format-patch output with the cover letter
# in build/series/patches.  Author and Signed-off-by: git config user.name
# and user.email.  Its last tree must be build/ours-src's.
SERIES := $(B)/series
series: ours-src
	@rig/series.py make $(SERIES) --expect $(OURS_SRC)

# Every patch through checkpatch --strict, get_maintainer.pl naming our
# entry, then every step of the series built in turn (incremental, ccache;
# each build takes /tmp/hwbp-heavy.lock itself: do not run this under it).
series-check: series docs-check
	@rig/series.py check $(SERIES) $(if $(SPARSE),--sparse)

# What `make htmldocs` would say about our documentation, without Sphinx
# and in seconds (rig/docs_check.py, docutils): every page of ours parses
# with no warning, its :ref:/:doc: targets and Documentation/ paths exist,
# its kernel-doc directives run clean, it is reachable through toctrees;
# our ABI files pass get_abi.pl; kernel-doc -Wall on our C files.
docs-check: ours-src
	@rig/docs_check.py $(OURS_SRC)

# The pristine tree and the series' fixes only (tag "fixes"): 6.12.y as the
# fixes would make it, for make check KERNEL=fixes.  Built in
# build/fixes-tree/{src/linux-source-6.12,base} so that ccache sees the
# same paths as build/base's; build/fixes links to the build.
FIXES_SRC := $(B)/fixes-tree/src/linux-source-6.12
fixes: series
	@rig/series.py tree $(SERIES) fixes $(PRISTINE) $(FIXES_SRC)
	@ln -sfn fixes-tree/base $(B)/fixes
	@rig/kbuild.sh $(FIXES_SRC) $(B)/fixes-tree/base

base: source
	@cat $(PRISTINE)/.hwbp-extracted
	@rig/kbuild.sh $(PRISTINE) $(B)/base

ours: ours-src
	@rig/kbuild.sh $(OURS_SRC) $(B)/ours

kernel: $(KERNEL)

# The guest userspace (and the kselftests) always come from our tree, so
# both kernels run exactly the same tests.
image-base image-ours image-fixes: image-%: % ours-src
	@rig/mkimage.sh $(OURS_SRC) $(B)/$* $(B)/$*.cpio.gz

image: image-$(KERNEL)

check: image
	@echo "check: kernel $(KERNEL), built from $$(cut -d: -f2- $(PRISTINE)/.hwbp-extracted)"
	@rig/rig.py check $(KERNEL) $(B)/$(KERNEL) $(B)/$(KERNEL).cpio.gz

# Record the baseline's transcripts (ptrace ABI, ptrace and perf_event_open
# fuzzers), which `make check` compares every kernel with.
GOLDEN := ptrace_dr_abi.txt ptrace_dr_fuzz.txt hw_breakpoint_fuzz.txt
golden:
	@$(MAKE) --no-print-directory check KERNEL=base || true
	@mkdir -p rig/golden
	@for f in $(GOLDEN); do \
		cp $(B)/logs/base/$$f rig/golden/$$f && \
		echo "golden: rig/golden/$$f ($$(wc -l <rig/golden/$$f) lines)" || exit 1; \
	done

# A debug kernel: ours (KERNEL=base: the baseline) with rig/debug/$(DEBUG).config
# merged over the rig's fragment, and the same suites; every console must
# stay free of reports.  DEBUG=lockdep (PROVE_LOCKING, DEBUG_ATOMIC_SLEEP),
# kasan (KASAN, DEBUG_LIST, DEBUG_OBJECTS, PROVE_RCU, hung-task and lockup
# detectors) or kcsan.  check-lockdep is DEBUG=lockdep.
DEBUG ?= lockdep
DEBUG_KOUT = $(B)/$(KERNEL)-$(DEBUG)
check-debug: ours-src
	@test -f rig/debug/$(DEBUG).config || { echo "no rig/debug/$(DEBUG).config"; exit 2; }
	@HWBP_EXTRA_CONFIG=$(CURDIR)/rig/debug/$(DEBUG).config \
		rig/kbuild.sh $(SRC_$(KERNEL)) $(DEBUG_KOUT)
	@rig/mkimage.sh $(OURS_SRC) $(DEBUG_KOUT) $(DEBUG_KOUT).cpio.gz
	@echo "check: kernel $(KERNEL) + rig/debug/$(DEBUG).config"
	@HWBP_TIMEOUT_SCALE=$${HWBP_TIMEOUT_SCALE:-4} rig/rig.py check $(KERNEL)-$(DEBUG) $(DEBUG_KOUT) $(DEBUG_KOUT).cpio.gz

check-lockdep:
	@$(MAKE) --no-print-directory check-debug DEBUG=lockdep

# A distribution-like kernel: the whole of x86_64 defconfig plus KVM,
# kprobes, ftrace, BPF, 5-level paging (rig/arches/x86_64-defconfig.config)
# and the rig's fragment, booted for the main boot's suites.  KERNEL=base:
# the baseline built the same way.
DISTRO_KOUT = $(B)/$(KERNEL)-distro
check-distro: ours-src
	@rig/kbuild.sh --base defconfig --fragment tools/testing/selftests/breakpoints/config \
		--fragment rig/arches/x86_64-defconfig.config $(SRC_$(KERNEL)) $(DISTRO_KOUT)
	@rig/mkimage.sh $(OURS_SRC) $(DISTRO_KOUT) $(DISTRO_KOUT).cpio.gz
	@echo "check: kernel $(KERNEL), x86_64 defconfig + rig/arches/x86_64-defconfig.config"
	@HWBP_BOOTS=main rig/rig.py check $(KERNEL)-distro $(DISTRO_KOUT) $(DISTRO_KOUT).cpio.gz

# The long fuzz and stress runs (hwbprobust=1: 10^6 iterations of each
# fuzzer, minutes of stress) in the main boot of both kernels, baseline
# first: ours' transcripts are compared with the baseline's of this run.
robustness: image-base image-ours
	@HWBP_BOOTS=main HWBP_APPEND=hwbprobust=1 HWBP_TIMEOUT_SCALE=$${HWBP_TIMEOUT_SCALE:-8} \
		rig/rig.py check base-robust $(B)/base $(B)/base.cpio.gz || true
	@HWBP_BOOTS=main HWBP_APPEND=hwbprobust=1 HWBP_TIMEOUT_SCALE=$${HWBP_TIMEOUT_SCALE:-8} \
		rig/rig.py check ours-robust $(B)/ours $(B)/ours.cpio.gz

# Every benchmark on both kernels, booted alternately (rig/bench.py):
# BENCH_ROUNDS boots each at HWBP_SMP vCPUs, the first BENCH_SCALING_ROUNDS
# rounds also at 1, 2 and 8; BENCH_SECONDS of measured work per figure.
# BENCH_TOGETHER=1: each round's two boots at the same time, one half of
# the host's CPUs each, so that the host's drift slows both.
BENCH_ROUNDS ?= 5
BENCH_SCALING_ROUNDS ?= 3
BENCH_SECONDS ?= 3
bench: image-base image-ours
	@rig/rig.py bench $(BENCH_ROUNDS) --scaling-rounds $(BENCH_SCALING_ROUNDS) \
		--seconds $(BENCH_SECONDS) $(if $(BENCH_TOGETHER),--together)

# Two boots of one kernel differ too (TCG, the host's load): the baseline
# in both columns of the same table shows by how much, figure by figure
# (build/logs/bench-control/results.txt).
bench-control: image-base
	@rig/rig.py bench $(BENCH_ROUNDS) --scaling-rounds $(BENCH_SCALING_ROUNDS) \
		--seconds $(BENCH_SECONDS) --control

# Instructions per op instead of times: one vCPU under QEMU -icount, where
# the guest's clock counts instructions; the same at every boot, so two
# rounds suffice (build/logs/bench-icount/results.txt).
BENCH_ICOUNT_ROUNDS ?= 2
BENCH_ICOUNT_SECONDS ?= 1
bench-icount: image-base image-ours
	@rig/rig.py bench $(BENCH_ICOUNT_ROUNDS) --seconds $(BENCH_ICOUNT_SECONDS) --icount

compare:
	@$(MAKE) --no-print-directory check KERNEL=base || true
	@$(MAKE) --no-print-directory check KERNEL=ours

# Both kernels built for every configuration that builds the core (x86_64
# defconfig, UP and clang, i386, arm64 with gcc and clang, arm, ppc64le,
# sh4) with W=1 and our KUnit suites; arm64 and ppc64le boot under QEMU
# (rig/arches.py).  ARCHES=row,row picks rows.  check-arches is the part
# make check runs.
arches: source
	@rig/apply-series.sh $(PRISTINE) $(OURS_SRC) >/dev/null
	@rig/arches.py $(if $(ARCHES),--rows $(ARCHES))

check-arches: source
	@rig/apply-series.sh $(PRISTINE) $(OURS_SRC) >/dev/null
	@rig/arches.py --check

run: image
	@rig/rig.py demo $(B)/$(KERNEL) $(B)/$(KERNEL).cpio.gz

checkpatch: source
	@rig/lint.sh $(PRISTINE)

provenance:
	@../shared/tools/provenance-check .

# The README's two commands in a fresh Debian 12 chroot (not part of check).
fresh-check: setup
	@rig/fresh-check.sh

clean:
	rm -rf $(B)/base $(B)/ours $(B)/fixes $(B)/fixes-tree $(B)/series $(B)/series-check $(B)/*-lockdep $(B)/*-kasan $(B)/*-kcsan $(B)/*-distro $(B)/guest $(B)/logs $(B)/*.cpio.gz $(B)/arches

distclean:
	rm -rf $(B)
