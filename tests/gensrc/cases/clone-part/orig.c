extern void heavy(int, int);
struct obj { int ready; int val; int id; };

static void refresh(struct obj *o)
{
	if (o->ready)
		return;
	heavy(o->id + 0, o->val * 1);
	heavy(o->id + 1, o->val * 2);
	heavy(o->id + 2, o->val * 3);
	heavy(o->id + 3, o->val * 4);
	heavy(o->id + 4, o->val * 5);
	heavy(o->id + 5, o->val * 6);
	heavy(o->id + 6, o->val * 7);
	heavy(o->id + 7, o->val * 8);
	heavy(o->id + 8, o->val * 9);
	heavy(o->id + 9, o->val * 10);
	heavy(o->id + 10, o->val * 11);
	heavy(o->id + 11, o->val * 12);
	heavy(o->id + 12, o->val * 13);
	heavy(o->id + 13, o->val * 14);
	heavy(o->id + 14, o->val * 15);
	heavy(o->id + 15, o->val * 16);
	heavy(o->id + 16, o->val * 17);
	heavy(o->id + 17, o->val * 18);
	heavy(o->id + 18, o->val * 19);
	heavy(o->id + 19, o->val * 20);
	heavy(o->id + 20, o->val * 21);
	heavy(o->id + 21, o->val * 22);
	heavy(o->id + 22, o->val * 23);
	heavy(o->id + 23, o->val * 24);
	heavy(o->id + 24, o->val * 25);
	heavy(o->id + 25, o->val * 26);
	heavy(o->id + 26, o->val * 27);
	heavy(o->id + 27, o->val * 28);
	heavy(o->id + 28, o->val * 29);
	heavy(o->id + 29, o->val * 30);
	heavy(o->id + 30, o->val * 31);
	heavy(o->id + 31, o->val * 32);
	heavy(o->id + 32, o->val * 33);
	heavy(o->id + 33, o->val * 34);
	heavy(o->id + 34, o->val * 35);
	heavy(o->id + 35, o->val * 36);
	heavy(o->id + 36, o->val * 37);
	heavy(o->id + 37, o->val * 38);
	heavy(o->id + 38, o->val * 39);
	heavy(o->id + 39, o->val * 40);
	o->ready = 1;
}

int read1(struct obj *o)
{
	refresh(o);
	return o->val;
}

int read2(struct obj *o)
{
	refresh(o);
	return o->val + 1;
}
