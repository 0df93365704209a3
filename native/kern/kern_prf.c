/*
 * Kernel formatted output: a small vsnprintf (the host's is not ours to
 * call) and console lines.
 */
#include "sys/systm.h"
#include "sys/kernel.h"

struct fmtbuf {
	char	*buf;
	size_t	size;
	size_t	len;	/* would-be length, as snprintf counts */
};

static void
putch(struct fmtbuf *fb, char c)
{
	if (fb->len + 1 < fb->size)
		fb->buf[fb->len] = c;
	fb->len++;
}

static void
putnum(struct fmtbuf *fb, uint64_t v, unsigned base, bool neg, int width,
    char pad, bool upper)
{
	const char *digits = upper ? "0123456789ABCDEF" : "0123456789abcdef";
	char tmp[24];
	int n = 0;

	do {
		tmp[n++] = digits[v % base];
		v /= base;
	} while (v != 0);
	if (neg)
		width--;
	if (neg && pad == '0')
		putch(fb, '-');
	for (; width > n; width--)
		putch(fb, pad);
	if (neg && pad != '0')
		putch(fb, '-');
	while (n > 0)
		putch(fb, tmp[--n]);
}

int
kvsnprintf(char *buf, size_t size, const char *fmt, va_list ap)
{
	struct fmtbuf fb = { buf, size, 0 };

	for (; *fmt != '\0'; fmt++) {
		int width = 0, lmod = 0;
		char pad = ' ';

		if (*fmt != '%') {
			putch(&fb, *fmt);
			continue;
		}
		fmt++;
		if (*fmt == '0') {
			pad = '0';
			fmt++;
		}
		while (*fmt >= '0' && *fmt <= '9')
			width = width * 10 + (*fmt++ - '0');
		for (;; fmt++) {
			if (*fmt == 'l')
				lmod++;
			else if (*fmt == 'z' || *fmt == 'j')
				lmod = 2;
			else
				break;
		}
		switch (*fmt) {
		case 'd':
		case 'i': {
			int64_t v = lmod ? va_arg(ap, long) : va_arg(ap, int);
			uint64_t u = v < 0 ? (uint64_t)0 - (uint64_t)v : (uint64_t)v;

			putnum(&fb, u, 10, v < 0, width, pad, false);
			break;
		}
		case 'u':
		case 'o':
		case 'x':
		case 'X': {
			uint64_t v = lmod ? va_arg(ap, unsigned long) :
			    va_arg(ap, unsigned);

			putnum(&fb, v, *fmt == 'u' ? 10 : *fmt == 'o' ? 8 : 16,
			    false, width, pad, *fmt == 'X');
			break;
		}
		case 'p':
			putch(&fb, '0');
			putch(&fb, 'x');
			putnum(&fb, (uintptr_t)va_arg(ap, void *), 16, false,
			    width, pad, false);
			break;
		case 's': {
			const char *s = va_arg(ap, const char *);

			if (s == NULL)
				s = "(null)";
			for (; *s != '\0'; s++)
				putch(&fb, *s);
			break;
		}
		case 'c':
			putch(&fb, (char)va_arg(ap, int));
			break;
		case '%':
			putch(&fb, '%');
			break;
		case '\0':
			fmt--;
			break;
		default:
			putch(&fb, '%');
			putch(&fb, *fmt);
			break;
		}
	}
	if (size > 0)
		buf[fb.len < size ? fb.len : size - 1] = '\0';
	return (int)fb.len;
}

int
ksnprintf(char *buf, size_t size, const char *fmt, ...)
{
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = kvsnprintf(buf, size, fmt, ap);
	va_end(ap);
	return n;
}

void
klog(struct rump_kernel *k, const char *fmt, ...)
{
	char line[256];
	va_list ap;
	int n;

	if (k->k_console == NULL)
		return;
	va_start(ap, fmt);
	n = kvsnprintf(line, sizeof(line), fmt, ap);
	va_end(ap);
	if (n >= (int)sizeof(line))
		n = sizeof(line) - 1;
	rumpuser_console_write(k->k_console, k->k_console_arg, line, (size_t)n);
}
