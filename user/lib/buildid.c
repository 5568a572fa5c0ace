// SPDX-License-Identifier: GPL-2.0
/* buildid.c: the GNU build-id of an ELF file, from its note segments. */
#include <string.h>

#include "buildid.h"
#include "lkpp_format.h"

uint32_t lkp_note_build_id(Elf *elf, const GElf_Phdr *ph, uint8_t *id)
{
	Elf_Data *d = elf_getdata_rawchunk(elf, ph->p_offset, ph->p_filesz, ELF_T_NHDR);
	size_t off = 0, name_off, desc_off;
	GElf_Nhdr nh;

	while (d && (off = gelf_getnote(d, off, &nh, &name_off, &desc_off)) > 0) {
		if (nh.n_type == NT_GNU_BUILD_ID && nh.n_namesz == 4 &&
		    !memcmp((char *)d->d_buf + name_off, "GNU", 4) &&
		    nh.n_descsz >= 1 && nh.n_descsz <= LKPP_BUILD_ID_MAX) {
			memcpy(id, (char *)d->d_buf + desc_off, nh.n_descsz);
			return nh.n_descsz;
		}
	}
	return 0;
}
