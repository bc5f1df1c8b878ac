// Crashes the kernel on demand, one report kind per `kind=`, for the soak's Linux
// fixtures: null (BUG: kernel NULL pointer dereference), warn (WARNING), gpf (general
// protection fault on a non-canonical address). It never stays loaded.
#include <linux/init.h>
#include <linux/module.h>

static char *kind = "null";
module_param(kind, charp, 0);

static noinline int crashme_null_deref(void)
{
	return *(volatile int *)NULL;
}

static noinline void crashme_warn(void)
{
	WARN(1, "crashme: warning on demand");
}

static noinline int crashme_gpf(void)
{
	return *(volatile int *)0xdead000000000100UL;
}

static int __init crashme_init(void)
{
	if (!strcmp(kind, "null"))
		return crashme_null_deref();
	if (!strcmp(kind, "warn"))
		crashme_warn();
	else if (!strcmp(kind, "gpf"))
		return crashme_gpf();
	else
		pr_err("crashme: unknown kind=%s (null, warn or gpf)\n", kind);
	return -EAGAIN;
}

module_init(crashme_init);
MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("unikernel-soak: kernel crashes on demand");
