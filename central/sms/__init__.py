"""Text messages to citizens who asked for one ("kabari saya lewat SMS"): queued when an application
becomes ready or declined (`messages`), handed to the office's gammu-smsd spool and read back from it
(`gateway`, `delivery`), offered only by offices that have a modem (`OfficeSmsGateway`)."""
