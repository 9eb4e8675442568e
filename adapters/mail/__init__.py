"""E-mail: the senders (SMTP, Maildir) and the texts of client e-mails in six languages."""
