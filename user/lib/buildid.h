/* SPDX-License-Identifier: GPL-2.0 */
/* buildid.h: the GNU build-id of an ELF file, from its note segments. */
#ifndef LKP_BUILDID_H
#define LKP_BUILDID_H

#include <gelf.h>
#include <stdint.h>

/*
 * The build-id in the PT_NOTE segment ph of elf, copied to id (room for
 * LKPP_BUILD_ID_MAX bytes): its size, or 0 if that segment has none (or
 * one longer than LKPP_BUILD_ID_MAX).
 */
uint32_t lkp_note_build_id(Elf *elf, const GElf_Phdr *ph, uint8_t *id);

#endif /* LKP_BUILDID_H */
