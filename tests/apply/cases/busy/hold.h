/* SPDX-License-Identifier: GPL-2.0 */
/* hold.h: case "busy": the function a thread blocks in, and the one the rounds print. */
#ifndef HOLD_H
#define HOLD_H

int hold(int in, int ack);
int limit(void);

#endif
