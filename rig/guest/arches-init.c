// SPDX-License-Identifier: GPL-2.0
/*
 * /init of the make arches guests (arm64, ppc64le).
 *
 * Built against the kernel's nolibc and the guest kernel's own UAPI
 * headers, so no C library for the guest's architecture is needed.  KUnit
 * has run before init starts; this runs the programs the kernel passes
 * after "--" on its command line, frames each one's output and exit status
 * between @@HWBP markers on the console as rig/guest/init does, then
 * restarts the machine, which ends QEMU (-no-reboot).
 */
#include <linux/reboot.h>

int main(int argc, char **argv)
{
	int i;

	for (i = 1; i < argc; i++) {
		const char *name = strrchr(argv[i], '/') ? strrchr(argv[i], '/') + 1 : argv[i];
		int status = 0;
		pid_t pid;

		printf("@@HWBP-BEGIN %s\n", name);
		pid = fork();
		if (pid == 0) {
			/* each program runs without arguments */
			argv[i + 1] = NULL;
			execve(argv[i], &argv[i], environ);
			printf("%s: execve: %d\n", argv[i], errno);
			exit(127);
		}
		/* A program that could not be started is rc=255. */
		if (pid < 0 || waitpid(pid, &status, 0) != pid)
			status = 255 << 8;
		printf("@@HWBP-END %s rc=%d\n", name,
		       WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status));
	}
	printf("@@HWBP-DONE\n");
	reboot(LINUX_REBOOT_CMD_RESTART);
	return 0;
}
