export * from '../assets/tool/index';
